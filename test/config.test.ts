import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';

const http = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 's3cr3t' };

describe('loadConfig', () => {
  it('reads token mode over HTTP with defaults', () => {
    const r = loadConfig(http);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toEqual({
      slack: { mode: 'http', auth: { kind: 'token', botToken: 'xoxb-1-2-abc' }, signingSecret: 's3cr3t', appToken: undefined, apiUrl: 'https://slack.com/api/' },
      store: { kind: 'pglite', dataDir: './data' },
      http: { port: 3000 },
      metrics: { port: 9464, host: '127.0.0.1', explicit: false, token: null },
      log: { level: 'info' },
      clock: { startAt: null },
    });
    expect(Object.isFrozen(r.config.slack)).toBe(true);
  });

  it('reads ASYNC_CHARTER_NOW as the start of the app clock, and refuses what is not an instant', () => {
    const r = loadConfig({ ...http, ASYNC_CHARTER_NOW: '2026-11-30T09:00:05Z' });
    expect(r.ok && r.config.clock.startAt).toBe(Date.parse('2026-11-30T09:00:05Z'));
    const bad = loadConfig({ ...http, ASYNC_CHARTER_NOW: 'monday' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.variable)).toEqual(['ASYNC_CHARTER_NOW']);
  });

  it('uses Socket Mode when SLACK_APP_TOKEN is set, and then needs no signing secret', () => {
    const r = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A-1-x' });
    expect(r.ok && r.config.slack.mode).toBe('socket');
  });

  it('reads DATABASE_URL, SLACK_API_URL (adding the slash), PORT and LOG_LEVEL', () => {
    const r = loadConfig({ ...http, DATABASE_URL: 'postgres://u@h:5432/db', SLACK_API_URL: 'http://127.0.0.1:9/api', PORT: '8080', LOG_LEVEL: 'debug' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.store).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db' });
    expect(r.config.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(r.config.http.port).toBe(8080);
    expect(r.config.log.level).toBe('debug');
  });

  it.each([
    [{}, ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']],
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 'x' }, ['SLACK_BOT_TOKEN']],
    [{ ...http, SLACK_APP_TOKEN: 'xoxb-wrong' }, ['SLACK_APP_TOKEN']],
    [{ ...http, PORT: 'eighty' }, ['PORT']],
    [{ ...http, LOG_LEVEL: 'loud' }, ['LOG_LEVEL']],
    [{ ...http, DATABASE_URL: 'mysql://x' }, ['DATABASE_URL']],
    [{ ...http, METRICS_PORT: '70000' }, ['METRICS_PORT']],
    [{ ...http, METRICS_PORT: 'on' }, ['METRICS_PORT']],
    [{ ...http, PORT: '8080', METRICS_PORT: '8080' }, ['METRICS_PORT']],
    [{ ...http, METRICS_PORT: '3000' }, ['METRICS_PORT']],
    [{ ...http, METRICS_HOST: 'http://0.0.0.0' }, ['METRICS_HOST']],
    [{ ...http, METRICS_TOKEN: 'short' }, ['METRICS_TOKEN']],
    [{ ...http, METRICS_TOKEN: 'has spaces in the middle of it' }, ['METRICS_TOKEN']],
    [{ SLACK_SIGNING_SECRET: 'x', SLACK_CLIENT_ID: '1.2' }, ['SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'TOKEN_ENCRYPTION_KEY']],
    [{ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 's', SLACK_STATE_SECRET: 'st', TOKEN_ENCRYPTION_KEY: 'k'.repeat(32), SLACK_APP_TOKEN: 'xapp-1-A-1-x' }, ['SLACK_APP_TOKEN']],
    [{ SLACK_SIGNING_SECRET: 'x', SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 's', SLACK_STATE_SECRET: 'st', TOKEN_ENCRYPTION_KEY: 'short' }, ['TOKEN_ENCRYPTION_KEY']],
  ])('names each bad variable: %j', (env, variables) => {
    const r = loadConfig(env);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.variable).sort()).toEqual([...variables].sort());
    for (const v of variables) expect(r.message).toContain(`  - ${v}: `);
  });

  it('reads OAuth mode (several workspaces, over HTTP): client id, secret, state secret and the token encryption key', () => {
    const r = loadConfig({ SLACK_SIGNING_SECRET: 'x', SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 's', SLACK_STATE_SECRET: 'st', TOKEN_ENCRYPTION_KEY: 'k'.repeat(32) });
    expect(r.ok && r.config.slack).toMatchObject({ mode: 'http', auth: { kind: 'oauth', clientId: '1.2', clientSecret: 's', stateSecret: 'st', tokenEncryptionKey: 'k'.repeat(32) } });
  });

  it('reads METRICS_PORT ("off": no listener; 0: a free port), METRICS_HOST and METRICS_TOKEN', () => {
    const r = loadConfig({ ...http, METRICS_PORT: '9100', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: 'a'.repeat(32) });
    expect(r.ok && r.config.metrics).toEqual({ port: 9100, host: '0.0.0.0', explicit: true, token: 'a'.repeat(32) });
    const off = loadConfig({ ...http, METRICS_PORT: 'off' });
    expect(off.ok && off.config.metrics).toEqual({ port: null, host: '127.0.0.1', explicit: true, token: null });
    const any = loadConfig({ ...http, PORT: '0', METRICS_PORT: '0', METRICS_HOST: '::1' });
    expect(any.ok && any.config.metrics).toEqual({ port: 0, host: '::1', explicit: true, token: null });
    const bad = loadConfig({ ...http, METRICS_PORT: '3000' });
    expect(!bad.ok && bad.message).toContain('METRICS_PORT: must differ from PORT (3000)');
    // PORT on the default metrics port, METRICS_PORT unset: the app starts, without a metrics listener.
    const onDefault = loadConfig({ ...http, PORT: '9464' });
    expect(onDefault.ok && onDefault.config.metrics).toEqual({ port: null, host: '127.0.0.1', explicit: false, token: null });
  });

  it('treats empty values as unset', () => {
    const r = loadConfig({ ...http, DATABASE_URL: '', PORT: ' ' });
    expect(r.ok && r.config.store.kind).toBe('pglite');
  });
});

describe('npm start without tokens', () => {
  it('exits 2 with a message naming each variable and pointing at manifest.yml and the README', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ac-start-')); // no .env here
    // Set but empty: a developer's .env (which never overrides the environment) cannot fill them in.
    const blank = Object.fromEntries(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'TOKEN_ENCRYPTION_KEY'].map((k) => [k, '']));
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...blank };
    const r = spawnSync('npm', ['start', '--prefix', join(__dirname, '..'), '--silent'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SLACK_BOT_TOKEN: missing');
    expect(r.stderr).toContain('SLACK_SIGNING_SECRET: missing');
    expect(r.stderr).toContain('manifest.yml');
    expect(r.stderr).toContain('README');
  });
});
