import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WeeklyReport } from '../../src/domain/report';
import { cliStore, runScript } from '../helpers/cli';
import { FIXTURES } from '../helpers/fixtures';

const HOUSTON = join(FIXTURES, 'slack-export-houstondatavis');
const ZIP = join(FIXTURES, 'slack-export-viewer', 'testarchive.zip');
const GENERAL = 'C061A2UGJ';
const READINGS = 'C065DT41X';

describe('npm run audit', () => {
  let store: Awaited<ReturnType<typeof cliStore>>;
  beforeEach(async () => {
    store = await cliStore();
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('reports the houstondatavis export; three weeks match figures worked out by hand from the files', async () => {
    const r = await runScript('audit', [HOUSTON, '--json'], store.env);
    expect(r.stderr).toContain('imported 1025 messages');
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout) as WeeklyReport[];
    expect(reports).toHaveLength(61);
    expect(reports[0]?.week_start).toBe('2015-06-01');
    expect(reports.at(-1)?.week_start).toBe('2016-07-25');
    for (const x of reports) expect(x).toMatchObject({ team_id: 'T061A2UFL', timezone: 'UTC', as_of: '2016-07-27T20:21:38.000Z' });
    const week = (w: string) => reports.find((x) => x.week_start === w);

    // Everyone here is in America/Chicago (CDT, UTC-5); default charter: Mon-Fri 09:00-17:00, 480 working minutes.
    // 2015-06-29: R2R pings 3E0G on Sunday 22:13 CDT; 3E0G's next #general message is Friday 17:30 CDT
    // (a file share mentioning R2R): 5 full working days = 2400 min, late. R2R's next #general message is
    // Wednesday 2015-07-08 18:57 CDT: Mon-Wed = 1440 min, late. All three messages are off hours.
    expect(week('2015-06-29')).toMatchObject({
      messages: 3,
      after_hours_messages: 3,
      threaded_messages: 0,
      top_level_messages: 3,
      requests: 2,
      off_hours_requests: 2,
      early_followups: 0,
      on_time: 0,
      late: 2,
      overdue: 0,
      pending: 0,
      compliance: 0,
      urgent_requests: 0,
      median_response_working_minutes: 1920,
      p90_response_working_minutes: 2400,
      channels: [{ channel: GENERAL, messages: 3, after_hours_messages: 3, requests: 2, compliance: 0 }],
    });
    // 2015-08-24: a Saturday exchange in #readings. XDA68 pings MTL5U and R2R; R2R answers 2.5 h later
    // (0 working minutes, on time) and pings XDA68, who answers a minute later (on time). MTL5U never
    // writes in #readings again: overdue.
    expect(week('2015-08-24')).toMatchObject({
      messages: 3,
      after_hours_messages: 3,
      requests: 3,
      off_hours_requests: 3,
      on_time: 2,
      late: 0,
      overdue: 1,
      pending: 0,
      compliance: 0.667,
      median_response_working_minutes: 0,
      p90_response_working_minutes: 0,
      channels: [{ channel: READINGS, messages: 3, after_hours_messages: 3, requests: 3, compliance: 0.667 }],
    });
    // 2015-09-21: H4AKX pings P7LT9S Tuesday 15:05:48 CDT (working time); the answer comes Thursday
    // 2015-10-08 19:28 CDT: 114.2 min that Tuesday + 12 full days = 5874.2 min. R2R pings 5N1G Saturday
    // 20:53 CDT; the answer comes Thursday 2015-10-08 13:53:43 CDT: 8 days + 293.7 min = 4133.7 min.
    // Median (4133.7 + 5874.2) / 2 = 5004.0; nearest-rank p90 = 5874.2.
    expect(week('2015-09-21')).toMatchObject({
      messages: 4,
      after_hours_messages: 3,
      requests: 2,
      off_hours_requests: 1,
      on_time: 0,
      late: 2,
      compliance: 0,
      median_response_working_minutes: 5004,
      p90_response_working_minutes: 5874.2,
    });
    // A week with no messages at all is still listed, with zero counts and null ratios.
    expect(week('2015-09-28')).toMatchObject({ messages: 0, requests: 0, compliance: null, median_response_working_minutes: null, channels: [] });

    // Importing the same export again counts every message once: nothing new, and the table below
    // (figures worked out from the first run's JSON) is that of the first import.
    // Without --json: a table in human units (waits in working hours and minutes, one-decimal
    // percentages), the meeting-request and where-is columns, then the channels by name.
    const table = await runScript('audit', [HOUSTON], store.env);
    expect(table.code).toBe(0);
    expect(table.stderr).toContain('imported 1025 messages (0 new)');
    const lines = table.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('week '));
    expect(lines[header]).toMatch(/^week\s+msgs\s+after-hrs\s+threaded\s+requests\s+off-hrs\s+on time\s+late\s+overdue\s+pending\s+compliance\s+median wait\s+p90 wait\s+mtg req\s+where-is$/);
    const weekLines = lines.slice(header + 2, header + 2 + reports.length);
    expect(weekLines.map((l) => l.slice(0, 10))).toEqual(reports.map((x) => x.week_start));
    // Aligned: every row as long as the rule under the header, the columns' right edges in one place.
    expect(new Set([lines[header + 1], ...weekLines].map((l) => l?.length))).toEqual(new Set([lines[header]?.length]));
    expect(table.stdout).toMatch(/^2015-09-21\s+4\s+3\s+0\s+2\s+1\s+0\s+2\s+0\s+0\s+0\.0%\s+83 h 24 min\s+97 h 54 min\s+0\s+0$/m);
    expect(table.stdout).toMatch(/^2015-08-24\s+3\s+3\s+0\s+3\s+3\s+2\s+0\s+1\s+0\s+66\.7%\s+0 min\s+0 min\s+0\s+0$/m);
    expect(table.stdout).toMatch(/^2015-06-29\s+3\s+3\s+0\s+2\s+2\s+0\s+2\s+0\s+0\s+0\.0%\s+32 h\s+40 h\s+0\s+0$/m);
    expect(table.stdout).toMatch(/^2015-09-28\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+–\s+–\s+–\s+0\s+0$/m);
    const sum = (f: (x: WeeklyReport) => number) => reports.reduce((n, x) => n + f(x), 0);
    expect(table.stdout).toContain(`61 weeks, 1,025 messages, ${sum((x) => x.requests)} requests; overall compliance`);
    // One line per channel, totals over the weeks; #readings is worked out from the JSON.
    expect(table.stdout).toMatch(/^Channels, totals over the 61 weeks above:$/m);
    const inReadings = reports.flatMap((x) => x.channels.filter((c) => c.channel === READINGS));
    expect(table.stdout).toMatch(new RegExp(`^#readings\\s+${inReadings.reduce((n, c) => n + c.messages, 0)}\\s+${inReadings.reduce((n, c) => n + c.after_hours_messages, 0)}\\s+${inReadings.reduce((n, c) => n + c.requests, 0)}\\s+\\d+\\.\\d%$`, 'm'));
    expect(table.stdout).toMatch(/^#general\s+/m);
    expect(table.stdout).not.toMatch(/^C0[0-9A-Z]+\s/m);
  }, 240_000);

  it('reads the zipped export, prints a table without --json, and honours --as-of and --charter', async () => {
    const charterFile = join(mkdtempSync(join(tmpdir(), 'ac-charter-')), 'charter.yml');
    writeFileSync(charterFile, 'timezone: America/Vancouver\nworking_hours: { start: "08:00", end: "16:00" }\n');
    const json = await runScript('audit', [ZIP, '--json', '--as-of', '2016-04-01T00:00:00Z', '--charter', charterFile], store.env);
    expect(json.code).toBe(0);
    expect(json.stderr).toContain('imported 52 messages (52 new) from 17 files in 2 channels; 4 people');
    const reports = JSON.parse(json.stdout) as WeeklyReport[];
    expect(reports.reduce((n, r) => n + r.messages, 0)).toBe(52);
    expect(reports.every((r) => r.team_id === 'T0BMHLSRH' && r.timezone === 'America/Vancouver' && r.as_of === '2016-04-01T00:00:00.000Z')).toBe(true);
    expect(reports.reduce((n, r) => n + r.requests, 0)).toBeGreaterThan(0);
    const table = await runScript('audit', [ZIP], store.env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/week\s+msgs\s+after-hrs/);
    expect(table.stdout).toMatch(/^2016-01-11\s+\d+/m);
    expect(table.stdout).toMatch(/^channel\s+msgs\s+after-hrs\s+requests\s+compliance$/m);
    // Percentages always with one decimal.
    expect((table.stdout.match(/[\d.]+%/g) ?? []).filter((p) => !/^\d+\.\d%$/.test(p))).toEqual([]);
  }, 180_000);

  it('without users.json nobody is known: messages count, requests do not, and it says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-nousers-'));
    cpSync(HOUSTON, dir, { recursive: true });
    rmSync(join(dir, 'users.json'));
    const r = await runScript('audit', [dir, '--json'], store.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('users.json is missing');
    const reports = JSON.parse(r.stdout) as WeeklyReport[];
    expect(reports.reduce((n, x) => n + x.messages, 0)).toBe(1025);
    expect(reports.every((x) => x.team_id === null && x.requests === 0)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('takes as_of from the newest message in the export, a bot\'s or a join included (SPEC §5)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-asof-'));
    cpSync(HOUSTON, dir, { recursive: true });
    // The newest human message is 2016-07-27T20:21:38Z; a day later, a bot's message and then a join.
    writeFileSync(
      join(dir, 'general', '2016-07-28.json'),
      JSON.stringify([
        { type: 'message', subtype: 'bot_message', bot_id: 'B0BOT00001', username: 'ci', ts: '1469700000.000100', text: 'build passed' },
        { type: 'message', subtype: 'channel_join', user: 'U061A1R2R', ts: '1469703600.000200', text: '<@U061A1R2R> has joined the channel' },
      ]),
    );
    const r = await runScript('audit', [dir, '--json'], store.env);
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout) as WeeklyReport[];
    expect(reports).toHaveLength(61);
    expect(reports.reduce((n, x) => n + x.messages, 0)).toBe(1025);
    for (const x of reports) expect(x.as_of).toBe('2016-07-28T11:00:00.000Z');
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("takes as_of from a channel the charter excludes too, and says that channel was left out by the charter (SPEC §5)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-asof-excluded-'));
    cpSync(HOUSTON, dir, { recursive: true });
    // The newest message of the export, two days after the last one counted, in #readings, which the charter excludes.
    writeFileSync(join(dir, 'readings', '2016-07-29.json'), JSON.stringify([{ type: 'message', user: 'U061A1R2R', ts: '1469800000.000100', text: '<@U061A3E0G> new reading?' }]));
    writeFileSync(join(dir, 'charter.yml'), `excluded_channels: [${READINGS}]\n`);
    const r = await runScript('audit', [dir, '--json', '--charter', join(dir, 'charter.yml')], store.env);
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout) as WeeklyReport[];
    for (const x of reports) expect(x.as_of).toBe('2016-07-29T13:46:40.000Z');
    expect(reports.flatMap((x) => x.channels.map((c) => c.channel))).not.toContain(READINGS);
    expect(r.stderr).toContain(`left out 1 channel(s) the charter excludes (excluded_channels): readings`);
    expect(r.stderr).not.toContain('--include-private');
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('leaves private channels and DMs out unless --include-private', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-private-'));
    cpSync(HOUSTON, dir, { recursive: true });
    const { mkdirSync } = await import('node:fs');
    const t0 = 1_437_400_000; // 2015-07-20, a Monday
    writeFileSync(join(dir, 'groups.json'), JSON.stringify([{ id: 'G0SECRET01', name: 'secret-plans', created: t0, members: [] }]));
    mkdirSync(join(dir, 'secret-plans'));
    writeFileSync(join(dir, 'secret-plans', '2015-07-20.json'), JSON.stringify([{ type: 'message', user: 'U061A1R2R', ts: `${t0 + 50_000}.000001`, text: '<@U061A3E0G> private question?' }]));
    writeFileSync(join(dir, 'dms.json'), JSON.stringify([{ id: 'D0DIRECT01', created: t0, members: ['U061A1R2R', 'U061A3E0G'] }]));
    mkdirSync(join(dir, 'D0DIRECT01'));
    writeFileSync(join(dir, 'D0DIRECT01', '2015-07-20.json'), JSON.stringify([{ type: 'message', user: 'U061A3E0G', ts: `${t0 + 50_100}.000001`, text: 'dm text' }]));

    const without = await runScript('audit', [dir, '--json'], store.env);
    expect(without.code).toBe(0);
    expect(without.stderr).toMatch(/left out 2 folder\(s\) not among the counted channels \(private conversations need --include-private\): D0DIRECT01, secret-plans/);
    expect((JSON.parse(without.stdout) as WeeklyReport[]).find((w) => w.week_start === '2015-07-20')?.channels.map((c) => c.channel)).not.toContain('G0SECRET01');

    const withPrivate = await runScript('audit', [dir, '--json', '--include-private'], store.env);
    expect(withPrivate.code).toBe(0);
    const week = (JSON.parse(withPrivate.stdout) as WeeklyReport[]).find((w) => w.week_start === '2015-07-20');
    expect(week?.channels.map((c) => c.channel)).toEqual(expect.arrayContaining(['D0DIRECT01', 'G0SECRET01']));
    expect(week?.channels.find((c) => c.channel === 'G0SECRET01')).toEqual({ channel: 'G0SECRET01', messages: 1, after_hours_messages: expect.any(Number), requests: 1, compliance: expect.anything() });
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it.each([
    ['a day file that is not JSON', (dir: string) => writeFileSync(join(dir, 'general', '2015-07-03.json'), '[{"type": "message", "ts": '), /general\/2015-07-03\.json: is not valid JSON/],
    ['a day file that is not an array', (dir: string) => writeFileSync(join(dir, 'readings', '2015-08-29.json'), '{"messages": []}'), /readings\/2015-08-29\.json: must be a JSON array of messages/],
    ['users.json entries without ids', (dir: string) => writeFileSync(join(dir, 'users.json'), '[{"name": "x"}]'), /users\.json: every user needs an "id" \(at 0\.id\)/],
    ['no channels.json', (dir: string) => rmSync(join(dir, 'channels.json')), /has no channels\.json/],
  ])('refuses a broken export (%s) naming the file, and imports nothing', async (_name, breakIt, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-broken-'));
    cpSync(HOUSTON, dir, { recursive: true });
    breakIt(dir);
    const r = await runScript('audit', [dir, '--json'], store.env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(r.stdout).toBe('');
    const db = await store.open();
    try {
      const n = await db.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst().catch(() => ({ n: 0 }));
      expect(Number(n?.n ?? 0)).toBe(0);
    } finally {
      await db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('explains its usage and bad arguments with exit code 2', async () => {
    expect((await runScript('audit', [], store.env)).stderr).toMatch(/usage: npm run audit/);
    const badAsOf = await runScript('audit', [HOUSTON, '--as-of', 'yesterday'], store.env);
    expect(badAsOf.code).toBe(2);
    expect(badAsOf.stderr).toMatch(/--as-of yesterday: not an ISO-8601 instant/);
    const missing = await runScript('audit', ['/nonexistent/export.zip'], store.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\/nonexistent\/export\.zip: no such file or folder/);
  }, 120_000);
});
