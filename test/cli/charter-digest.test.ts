import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { WeeklyReport } from '../../src/domain/report';
import { cliStore, ROOT, runScript } from '../helpers/cli';
import { FIXTURES } from '../helpers/fixtures';

describe('npm run charter and npm run digest', () => {
  let store: Awaited<ReturnType<typeof cliStore>>;
  beforeAll(async () => {
    store = await cliStore();
  });
  const dir = mkdtempSync(join(tmpdir(), 'ac-charter-cli-'));
  afterAll(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the defaults when no charter is stored', async () => {
    const r = await runScript('charter', ['--team', 'T0TEAM0001', '--show'], store.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# no charter stored for T0TEAM0001: these are the defaults/);
    expect(parse(r.stdout)).toMatchObject({ timezone: 'UTC', min_group_size: 5, response_windows: { normal: { working_minutes: 480 } } });
    // Times quoted: YAML 1.1 readers (PyYAML) take a plain 17:00 for 1020 (base 60).
    expect(parse(r.stdout, { version: '1.1' })).toMatchObject({ working_hours: { start: '09:00', end: '17:00' }, focus: { daily: { start: '09:00', end: '11:00' } }, digest: { time: '09:00' }, pulse: { time: '15:00' } });
  }, 60_000);

  it('stores a valid YAML charter and shows it back', async () => {
    const r = await runScript('charter', ['--team', 'T0TEAM0001', '--set', join(ROOT, 'docs', 'charter.example.yml'), '--show'], store.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('charter for T0TEAM0001 saved');
    expect(parse(r.stdout)).toMatchObject({ timezone: 'Europe/Berlin', urgent_channels: ['C0INCIDENTS'], channel_overrides: { C0SUPPORT: { response_windows: { normal: { working_minutes: 120 } } } } });
  }, 60_000);

  it('takes a relative path from where `npm run` was typed (npm runs the script from the package root)', async () => {
    const r = await runScript('charter', ['--team', 'T0TEAM0002', '--set', 'charter.example.yml', '--show'], store.env, undefined, { viaNpm: true, cwd: join(ROOT, 'docs') });
    expect(r.stderr).toContain(`charter for T0TEAM0002 saved from charter.example.yml`);
    expect(r.code).toBe(0);
    expect(parse(r.stdout.replace(/^>.*$/gm, ''))).toMatchObject({ timezone: 'Europe/Berlin', urgent_channels: ['C0INCIDENTS'] });
  }, 60_000);

  it('refuses an invalid charter naming each field, and keeps the one in force', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ timezone: 'Europe/Berlin', working_hours: { start: '18:00', end: '09:00' }, response_windows: { normal: { working_minutes: 0 } }, colour: 'blue' }));
    const r = await runScript('charter', ['--team', 'T0TEAM0001', '--set', bad], store.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('working_hours.end: working_hours: start must be before end');
    expect(r.stderr).toContain('response_windows.normal.working_minutes: working_minutes must be greater than 0');
    expect(r.stderr).toContain('colour: unknown key: colour');
    const shown = await runScript('charter', ['--team', 'T0TEAM0001'], store.env);
    expect(parse(shown.stdout)).toMatchObject({ timezone: 'Europe/Berlin', urgent_channels: ['C0INCIDENTS'] });
  }, 60_000);

  it('digest prints one report from the store; an empty week is zeros and nulls, exit 0', async () => {
    const imported = await runScript('audit', [join(FIXTURES, 'slack-export-houstondatavis'), '--json'], store.env);
    expect(imported.code).toBe(0);
    const fromAudit = (JSON.parse(imported.stdout) as WeeklyReport[]).find((w) => w.week_start === '2015-09-21');
    // Any day of the week names the week; the same as_of gives the same figures as audit.
    const r = await runScript('digest', ['--team', 'T061A2UFL', '--week', '2015-09-24', '--json', '--as-of', '2016-07-27T20:21:38Z'], store.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(fromAudit);

    const empty = await runScript('digest', ['--team', 'T061A2UFL', '--week', '2030-01-07', '--json', '--as-of', '2030-02-01T00:00:00.000Z'], store.env);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toMatchObject({ team_id: 'T061A2UFL', week_start: '2030-01-07', as_of: '2030-02-01T00:00:00.000Z', messages: 0, requests: 0, compliance: null, pulse: null, channels: [] });

    const table = await runScript('digest', ['--team', 'T061A2UFL', '--week', '2015-09-21', '--as-of', '2016-07-27T20:21:38Z'], store.env);
    expect(table.stdout).toMatch(/^2015-09-21\s+4\s+3\s+0\s+2\s+1\s+0\s+2\s+0\s+0\s+0\.0%\s+83 h 24 min\s+97 h 54 min\s+0\s+0$/m);

    const bad = await runScript('digest', ['--team', 'T061A2UFL', '--week', 'last-week'], store.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--week last-week: not a date YYYY-MM-DD/);
  }, 120_000);
});
