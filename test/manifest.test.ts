import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../src/slack/app';
import { ACTIVITY_EVENTS } from '../src/slack/listeners/events';
import { fixture } from './helpers/fixtures';

type Manifest = {
  features: { slash_commands: Array<{ command: string; url: string }>; app_home: { home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[]; request_url: string }; interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url?: string } };
};

const manifest = parse(readFileSync(join(__dirname, '..', 'manifest.yml'), 'utf8')) as Manifest;
// The schema only uses "uri" for $schema, which the manifest does not set.
const validate = new Ajv({ strict: false, allErrors: true, formats: { uri: true } }).compile(fixture('manifest-schema', 'schemas', 'manifest.schema.1.0.0.json'));

describe('manifest.yml', () => {
  it("is valid against Slack's manifest schema (test/fixtures/manifest-schema)", () => {
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a broken manifest (the validation can fail)', () => {
    expect(validate({ ...manifest, features: { ...manifest.features, slash_commands: [{ command: 'async' }] } })).toBe(false);
  });

  it('subscribes to every event the app listens to, with the scopes they need', () => {
    const subscribed = new Set(manifest.settings.event_subscriptions.bot_events);
    for (const e of ACTIVITY_EVENTS) {
      if (e === 'message') expect([...subscribed]).toEqual(expect.arrayContaining(['message.channels', 'message.groups']));
      else expect(subscribed.has(e)).toBe(true);
    }
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['channels:history', 'groups:history', 'reactions:read', 'users:read', 'channels:read', 'groups:read', 'chat:write', 'commands']));
    // Never DMs: no im/mpim history scopes or events.
    expect(manifest.oauth_config.scopes.bot.filter((s) => /^(im|mpim):history$/.test(s))).toEqual([]);
    expect([...subscribed].filter((e) => /^message\.(im|mpim)$/.test(e))).toEqual([]);
  });

  it('asks, in OAuth mode, for exactly the bot scopes it declares; it hears of its own uninstall', () => {
    // /slack/install's authorize URL carries BOT_SCOPES: a scope added to one must be added to the other.
    expect([...BOT_SCOPES]).toEqual(manifest.oauth_config.scopes.bot);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(expect.arrayContaining(['app_uninstalled', 'tokens_revoked']));
    expect((manifest as unknown as { oauth_config: { redirect_urls: string[] } }).oauth_config.redirect_urls).toEqual([expect.stringMatching(/\/slack\/oauth_redirect$/)]);
  });

  it('routes /async, interactivity and events to /slack/events, with App Home on', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/async']);
    for (const url of [manifest.features.slash_commands[0]?.url, manifest.settings.interactivity.request_url, manifest.settings.event_subscriptions.request_url]) expect(url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    // The charter settings' external_select (time zones) loads its options from the same route.
    expect(manifest.settings.interactivity.message_menu_options_url).toMatch(/\/slack\/events$/);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });
});
