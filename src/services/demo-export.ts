import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';

/** Phrasings the classifier flags (checked with npm run classify). */
const MEETING_ASKS = ['can we hop on a quick call about the rollout?', "let's jump on a call tomorrow to go through the plan", 'could we set up a meeting this week to discuss the pricing page?', 'quick sync at 3pm?'];
const WHERE_ASKS = ['where is the onboarding doc?', 'does anyone know where the Q3 deck lives?', 'where can I find the latest release notes?'];

/** The team id of generated exports. */
export const DEMO_TEAM = 'T0DEMO0001';

/**
 * Writes a synthetic Slack workspace export (unpacked folder) with about `count` messages in all
 * (answers included; the exact number is returned):
 * 300 people in 8 time zones, 25 channels, ~35% thread replies, ~30% with mentions, ~3%
 * meeting requests and ~2% "where is…?" questions, a few bot and join messages, spread over
 * `weeks` weeks from `start`, four in five in their author's working hours. Deterministic (seeded).
 * The other messages say "lorem ipsum…", or, with `texts`, one of those (real messages, for a
 * classifier that works as hard as on a real export). Used by `npm run demo` and `npm run bench`.
 */
export function generateExport(dir: string, count: number, opts: { seed?: number; weeks?: number; start?: Date; teamId?: string; texts?: readonly string[] } = {}): { messages: number; replies: number } {
  const seed = opts.seed ?? 42;
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const zones = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney'];
  const users = Array.from({ length: 300 }, (_, i) => ({ id: `U${String(i).padStart(8, '0')}`, team_id: opts.teamId ?? DEMO_TEAM, name: `person${i}`, deleted: i % 97 === 0, is_bot: i % 150 === 149, tz: zones[i % zones.length] }));
  const channels = Array.from({ length: 25 }, (_, i) => ({ id: `C${String(i).padStart(8, '0')}`, name: `channel-${i}`, created: 1700000000, is_archived: false, members: [] }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'users.json'), JSON.stringify(users));
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(channels));

  const start = (opts.start ?? new Date(Date.UTC(2026, 0, 5))).getTime() / 1000;
  const span = (opts.weeks ?? 26) * 7 * 86400;
  const byFile = new Map<string, Array<Record<string, unknown>>>();
  const roots = new Map<string, string[]>();
  const end = start + span;
  const add = (ch: { name: string }, t: number, m: Record<string, unknown>) => {
    const key = `${ch.name}/${new Date(Math.floor(t) * 1000).toISOString().slice(0, 10)}.json`;
    const list = byFile.get(key) ?? [];
    list.push(m);
    byFile.set(key, list);
  };
  let replies = 0;
  // About a fifth of all messages are answers to a mention: draw the rest as new messages.
  const base = Math.max(1, Math.round(count / 1.2));
  // Most people write in their working hours (Monday to Friday, 09:00-17:00 in their zone).
  const draws = Array.from({ length: base }, () => {
    const user = pick(users);
    let t = start + rand() * span;
    if (rand() < 0.8) {
      let local = DateTime.fromSeconds(t, { zone: user.tz }).startOf('day').plus({ seconds: (9 + rand() * 8) * 3600 });
      if (local.weekday > 5) local = local.minus({ days: local.weekday - 5 });
      if (local.toSeconds() >= start && local.toSeconds() < end) t = local.toSeconds();
    }
    return { t, user };
  }).sort((a, b) => a.t - b.t);
  draws.forEach(({ t, user }, i) => {
    const ch = pick(channels);
    const ts = `${Math.floor(t)}.${String(i % 1_000_000).padStart(6, '0')}`;
    const chRoots = roots.get(ch.id) ?? [];
    const kind = rand();
    const text = kind < 0.03 ? pick(MEETING_ASKS) : kind < 0.05 ? pick(WHERE_ASKS) : opts.texts ? pick(opts.texts) : 'lorem ipsum dolor sit amet';
    const m: Record<string, unknown> = { type: 'message', user: user.id, ts, text };
    const r = rand();
    if (r < 0.02) Object.assign(m, { subtype: 'channel_join', text: `<@${user.id}> has joined the channel` });
    else if (r < 0.04) Object.assign(m, { subtype: 'bot_message', bot_id: 'B0BENCH001', user: undefined });
    else {
      if (rand() < 0.35 && chRoots.length > 0) m.thread_ts = pick(chRoots.slice(-20));
      else chRoots.push(ts);
      if (rand() < 0.3) {
        const asked = pick(users);
        m.text = `<@${asked.id}> ${rand() < 0.2 ? `<@${pick(users).id}|x> ` : ''}${opts.texts ? pick(opts.texts) : 'can you take a look?'}`;
        // Most people answer in the thread, some within minutes, a few after days.
        const delay = 60 + rand() ** 3 * 3 * 86400;
        if (rand() < 0.75 && t + delay < end) {
          replies += 1;
          add(ch, t + delay, { type: 'message', user: asked.id, ts: `${Math.floor(t + delay)}.${String(500_000 + (replies % 500_000)).padStart(6, '0')}`, thread_ts: (m.thread_ts as string | undefined) ?? ts, text: opts.texts ? pick(opts.texts) : 'done, see above' });
        }
      }
    }
    roots.set(ch.id, chRoots);
    add(ch, t, m);
  });
  for (const [key, list] of byFile) {
    mkdirSync(join(dir, key.split('/')[0] as string), { recursive: true });
    writeFileSync(join(dir, key), JSON.stringify(list));
  }
  return { messages: base + replies, replies };
}

