import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { longestPendingMs } from '../../src/domain/charter';
import { openExport } from '../../src/services/export-reader';
import { importExport } from '../../src/services/export-import';
import { buildReports } from '../../src/services/reports';
import { drainRequests } from '../../src/store/requests';
import { makeCharter } from '../helpers/charter';
import { freshStore, type TestStore } from '../helpers/store';

/**
 * Early follow-ups (SPEC §4) look at every earlier request still not due, however long ago it was
 * asked: a week's report reads back as far as the charter lets a request wait, so one week alone
 * (digest) and every week (audit) count the same.
 */
const TEAM = 'T0LOOKBACK';
// One working hour a week (Mondays 09:00-10:00): a window of 600 working minutes spans ten Mondays.
const charter = makeCharter({ timezone: 'UTC', workdays: ['mon'], working_hours: { start: '09:00', end: '10:00' }, response_windows: { normal: { working_minutes: 600 } } });
const at = (iso: string) => `${Date.parse(iso) / 1000}.000100`;

describe('early follow-ups of a request asked more than 60 days before', () => {
  let store: TestStore;
  const dir = mkdtempSync(join(tmpdir(), 'ac-lookback-'));

  beforeAll(async () => {
    store = await freshStore();
    writeFileSync(join(dir, 'users.json'), JSON.stringify(['UASKER0001', 'UANSWER001'].map((id) => ({ id, team_id: TEAM, name: id, tz: 'UTC' }))));
    writeFileSync(join(dir, 'channels.json'), JSON.stringify([{ id: 'C0PLANS001', name: 'plans', created: 1_700_000_000 }]));
    mkdirSync(join(dir, 'plans'));
    // Asked on Monday 2026-09-07 09:00, never answered; asked again 63 days later, Monday 2026-11-09 09:30,
    // when 570 of its 600 working minutes have passed: not yet due, so the second is an early follow-up.
    writeFileSync(join(dir, 'plans', '2026-09-07.json'), JSON.stringify([{ type: 'message', user: 'UASKER0001', ts: at('2026-09-07T09:00:00Z'), text: '<@UANSWER001> the plan?' }]));
    writeFileSync(join(dir, 'plans', '2026-11-09.json'), JSON.stringify([{ type: 'message', user: 'UASKER0001', ts: at('2026-11-09T09:30:00Z'), text: '<@UANSWER001> the plan, again?' }]));
    const archive = await openExport(dir);
    await importExport(store, archive, { charter, includePrivate: false });
    await archive.close();
    await drainRequests(store.db, { team: TEAM });
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the charter lets a request wait longer than 60 days here', () => {
    expect(longestPendingMs(charter)).toBeGreaterThan(63 * 86_400_000);
    expect(longestPendingMs(makeCharter({}))).toBeLessThan(60 * 86_400_000);
  });

  it('is counted in that week alone as in every week at once', async () => {
    const asOf = new Date('2026-11-09T09:30:00.000Z');
    const [alone] = await buildReports(store.db, TEAM, { asOf, charter, weeks: ['2026-11-09'] });
    const all = await buildReports(store.db, TEAM, { asOf, charter });
    expect(alone).toMatchObject({ week_start: '2026-11-09', requests: 1, early_followups: 1, pending: 1 });
    expect(all.find((w) => w.week_start === '2026-11-09')).toEqual(alone);
    expect(all.find((w) => w.week_start === '2026-09-07')).toMatchObject({ requests: 1, pending: 1 });
  });
});
