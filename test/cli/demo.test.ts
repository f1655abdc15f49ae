import type { WeeklyReport } from '../../src/domain/report';
import { cliStore, runScript } from '../helpers/cli';

describe('npm run demo', () => {
  let store: Awaited<ReturnType<typeof cliStore>>;
  beforeAll(async () => {
    store = await cliStore();
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('imports a made-up workspace and prints its last four weeks', async () => {
    const r = await runScript('demo', ['--json', '--messages', '600'], store.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^demo workspace T0DEMO0001: \d+ messages imported/);
    const reports = JSON.parse(r.stdout) as WeeklyReport[];
    expect(reports).toHaveLength(4);
    expect(reports.every((w) => w.team_id === 'T0DEMO0001')).toBe(true);
    expect(reports.reduce((n, w) => n + w.requests, 0)).toBeGreaterThan(20);
    expect(reports.reduce((n, w) => n + w.on_time, 0)).toBeGreaterThan(0);
    const bad = await runScript('demo', ['--messages', 'lots'], store.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--messages lots: a whole number/);
  }, 120_000);
});
