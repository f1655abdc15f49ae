import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a synthetic Slack workspace export (unpacked folder) with `count` messages:
 * 300 people in 8 time zones, 25 channels, ~35% thread replies, ~30% with mentions,
 * a few bot and join messages, spread over 26 weeks. Deterministic (seeded).
 */
export function generateExport(dir: string, count: number, seed = 42): void {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const zones = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney'];
  const users = Array.from({ length: 300 }, (_, i) => ({ id: `U${String(i).padStart(8, '0')}`, team_id: 'T0BENCH001', name: `person${i}`, deleted: i % 97 === 0, is_bot: i % 150 === 149, tz: zones[i % zones.length] }));
  const channels = Array.from({ length: 25 }, (_, i) => ({ id: `C${String(i).padStart(8, '0')}`, name: `channel-${i}`, created: 1700000000, is_archived: false, members: [] }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'users.json'), JSON.stringify(users));
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(channels));

  const start = Date.UTC(2026, 0, 5) / 1000;
  const span = 26 * 7 * 86400;
  const byFile = new Map<string, Array<Record<string, unknown>>>();
  const roots = new Map<string, string[]>();
  const times = Array.from({ length: count }, () => start + rand() * span).sort((a, b) => a - b);
  times.forEach((t, i) => {
    const ch = pick(channels);
    const user = pick(users);
    const ts = `${Math.floor(t)}.${String(i % 1_000_000).padStart(6, '0')}`;
    const chRoots = roots.get(ch.id) ?? [];
    const m: Record<string, unknown> = { type: 'message', user: user.id, ts, text: 'lorem ipsum dolor sit amet' };
    const r = rand();
    if (r < 0.02) Object.assign(m, { subtype: 'channel_join', text: `<@${user.id}> has joined the channel` });
    else if (r < 0.04) Object.assign(m, { subtype: 'bot_message', bot_id: 'B0BENCH001', user: undefined });
    else {
      if (rand() < 0.35 && chRoots.length > 0) m.thread_ts = pick(chRoots.slice(-20));
      else chRoots.push(ts);
      if (rand() < 0.3) m.text = `<@${pick(users).id}> ${rand() < 0.2 ? `<@${pick(users).id}|x> ` : ''}can you take a look?`;
    }
    roots.set(ch.id, chRoots);
    const day = new Date(Math.floor(t) * 1000).toISOString().slice(0, 10);
    const key = `${ch.name}/${day}.json`;
    const list = byFile.get(key) ?? [];
    list.push(m);
    byFile.set(key, list);
  });
  for (const [key, list] of byFile) {
    mkdirSync(join(dir, key.split('/')[0] as string), { recursive: true });
    writeFileSync(join(dir, key), JSON.stringify(list));
  }
}

if (require.main === module) {
  const [dir, count] = process.argv.slice(2);
  if (!dir) throw new Error('usage: tsx bench/generate-export.ts DIR [COUNT]');
  generateExport(dir, Number(count ?? 100_000));
}
