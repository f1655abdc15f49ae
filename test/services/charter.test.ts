import type { UserRecord } from '../../src/domain/activity';
import type { Charter } from '../../src/domain/charter';
import { createLogger } from '../../src/logger';
import { CharterService } from '../../src/services/charter';
import { charterHistory, saveCharter } from '../../src/store/charters';
import { forgetPerson } from '../../src/store/forget';
import { upsertUser } from '../../src/store/users';
import { LogCapture } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';
import { freshStore, type TestStore } from '../helpers/store';

const TZ = 'Europe/Berlin';
/** 3 Dec 2026 10:04 in Berlin. */
const START = Date.UTC(2026, 11, 3, 9, 4);
const MIN = 60_000;

const person = (userId: string, displayName: string | null): UserRecord => ({
  userId,
  userTeamId: null,
  displayName,
  tz: 'Europe/Berlin',
  isBot: false,
  isAppUser: false,
  deleted: false,
  isAdmin: true,
  isOwner: false,
  isPrimaryOwner: false,
  isRestricted: false,
});

describe('CharterService (real store)', () => {
  let store: TestStore;
  let logs: LogCapture;
  let clock: number;
  let charters: CharterService;

  beforeAll(async () => {
    store = await freshStore();
  }, 60_000);
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    logs = new LogCapture();
    clock = START;
    charters = new CharterService({ store, logger: createLogger({ level: 'info', stream: logs }), now: () => clock });
  });

  it('stores who, when and what changed, and tells the history in words', async () => {
    const team = 'T0WORDS001';
    for (const t of ['T0WORDS001', 'T0OTHER001']) {
      await upsertUser(store.db, t, person('U0ANA', 'Ana'), 'refresh');
      await upsertUser(store.db, t, person('U0BOB', null), 'refresh');
    }
    expect(await charters.current(team)).toMatchObject({ stored: false, problems: [] });

    const first = await charters.save(team, makeCharter({ response_windows: { normal: { working_minutes: 240 } } }), 'U0ANA');
    // Against the defaults that were in force.
    expect(first).toEqual([{ path: 'response_windows.normal.working_minutes', from: 480, to: 240 }]);

    clock = START + 16 * MIN;
    const second = await charters.save(team, makeCharter({ response_windows: { normal: { working_minutes: 240 } }, workdays: ['mon', 'tue', 'wed', 'thu', 'sat'], digest: { channel: 'C0DIGEST' } }), 'U0ANA');
    expect(second.map((c) => c.path)).toEqual(['workdays', 'digest.channel']);

    clock = START + 26 * MIN;
    expect(await charters.save(team, makeCharter({ response_windows: { normal: { working_minutes: 240 } }, workdays: ['mon', 'tue', 'wed', 'thu', 'sat'], digest: { channel: 'C0DIGEST' } }), 'cli')).toEqual([]);

    clock = START + 86 * MIN;
    await charters.save(team, makeCharter({ response_windows: { normal: { working_minutes: 120 } }, workdays: ['mon', 'tue', 'wed', 'thu', 'sat'], digest: { channel: 'C0DIGEST' } }), 'U0BOB');

    // Another workspace's saves never show.
    await charters.save('T0OTHER001', makeCharter({ timezone: 'Asia/Tokyo' }), 'U0ANA');

    expect(await charters.history(team, TZ)).toEqual([
      '<@U0BOB> changed response_windows.normal from 240 to 120 working minutes, 3 Dec 11:30',
      'the CLI saved the charter unchanged, 3 Dec 10:30',
      'Ana changed workdays: added sat, removed fri; digest.channel from none to <#C0DIGEST>, 3 Dec 10:20',
      'Ana set the charter, 3 Dec 10:04',
    ]);
    expect(await charters.history(team, 'America/New_York', 2)).toEqual(['<@U0BOB> changed response_windows.normal from 240 to 120 working minutes, 3 Dec 05:30', 'the CLI saved the charter unchanged, 3 Dec 04:30']);

    // Stored with the app clock; updated_by keeps the user id or 'cli'.
    const versions = await charterHistory(store.db, team, 10);
    expect(versions.map((v) => [v.updatedBy, v.at.getTime()])).toEqual([
      ['U0BOB', START + 86 * MIN],
      ['cli', START + 26 * MIN],
      ['U0ANA', START + 16 * MIN],
      ['U0ANA', START],
    ]);
    expect(await charters.current(team)).toMatchObject({ stored: true, problems: [], charter: { response_windows: { normal: { working_minutes: 120 } } } });

    // One info line per save, naming the changed paths and never their values.
    const saved = logs.parsed().filter((l) => l.team_id === team);
    expect(saved.map((l) => [l.level, l.msg, l.changed])).toEqual([
      [30, 'charter saved', ['response_windows.normal.working_minutes']],
      [30, 'charter saved', ['workdays', 'digest.channel']],
      [30, 'charter saved unchanged', []],
      [30, 'charter saved', ['response_windows.normal.working_minutes']],
    ]);
    for (const l of saved) expect(Object.keys(l).filter((k) => !['level', 'time', 'pid', 'hostname', 'service', 'msg'].includes(k)).sort()).toEqual(['changed', 'team_id']);
    expect(logs.text()).not.toMatch(/C0DIGEST|"sat"/);

    // forget-me: Ana's saves keep their changes and lose her name.
    await forgetPerson(store.db, team, 'U0ANA');
    expect((await charters.history(team, TZ)).slice(2)).toEqual(['someone changed workdays: added sat, removed fri; digest.channel from none to <#C0DIGEST>, 3 Dec 10:20', 'someone set the charter, 3 Dec 10:04']);
  });

  it('lists the last ten of twelve, the oldest listed one compared with its predecessor', async () => {
    const team = 'T0TWELVE01';
    for (let i = 1; i <= 12; i++) {
      clock = START + i * MIN;
      await charters.save(team, makeCharter({ retention_days: i }), 'cli');
    }
    const ten = await charters.history(team, 'UTC');
    expect(ten).toHaveLength(10);
    expect(ten[0]).toBe('the CLI changed retention_days from 11 to 12 days, 3 Dec 09:16');
    expect(ten[9]).toBe('the CLI changed retention_days from 2 to 3 days, 3 Dec 09:07');
    expect(await charters.history(team, 'UTC', 12)).toHaveLength(12);
    expect((await charters.history(team, 'UTC', 50)).at(-1)).toBe('the CLI set the charter, 3 Dec 09:05');
    expect(await charters.history(team, 'UTC', 0)).toEqual([]);
    expect(await charters.history('T0NOBODY01', 'UTC')).toEqual([]);
  });

  it('shows a stored charter that no longer validates as "(unreadable)" instead of failing', async () => {
    const team = 'T0UNREAD01';
    await upsertUser(store.db, team, person('U0ANA', 'Ana <admin> & co'), 'refresh');
    await charters.save(team, makeCharter({ min_group_size: 3 }), 'U0ANA');
    // A version written by an older schema: a key the charter no longer knows.
    await saveCharter(store.db, team, { ...makeCharter({ min_group_size: 3 }), colour: 'blue' } as unknown as Charter, 'U0ANA', new Date(START + MIN));
    const now = await charters.current(team);
    expect(now.stored).toBe(true);
    expect(now.problems).toEqual(['colour: unknown key: colour']);
    clock = START + 2 * MIN;
    // The defaults were in force: the change is told from them.
    expect(await charters.save(team, makeCharter({ min_group_size: 4 }), 'cli')).toEqual([{ path: 'min_group_size', from: 5, to: 4 }]);
    expect(await charters.history(team, 'UTC')).toEqual([
      'the CLI saved the charter (the version before it is unreadable), 3 Dec 09:06',
      'Ana &lt;admin&gt; &amp; co saved a charter that no longer validates (unreadable), 3 Dec 09:05',
      'Ana &lt;admin&gt; &amp; co set the charter, 3 Dec 09:04',
    ]);
  });

  it('refuses a charter that does not validate, storing nothing', async () => {
    const team = 'T0REFUSE01';
    await expect(charters.save(team, { ...makeCharter({}), min_group_size: 0 }, 'cli')).rejects.toThrow(RangeError);
    await expect(charters.save(team, makeCharter({}), '')).rejects.toThrow(RangeError);
    expect(await charters.history(team, 'UTC')).toEqual([]);
    expect((await charters.current(team)).stored).toBe(false);
  });

  it("adopts the installing person's time zone as a new workspace's first charter (SPEC §1), and nothing else", async () => {
    expect(await charters.adoptInstallerTimezone('T0NEWTZ001', 'U0INSTALL1', 'America/Chicago')).toBe('America/Chicago');
    const first = await charters.current('T0NEWTZ001');
    expect(first.stored).toBe(true);
    expect(first.charter).toEqual(makeCharter({ timezone: 'America/Chicago' }));
    expect((await charterHistory(store.db, 'T0NEWTZ001', 10)).map((v) => v.updatedBy)).toEqual(['U0INSTALL1']);
    // A charter stored already is kept; an unknown, invalid or UTC zone changes nothing.
    expect(await charters.adoptInstallerTimezone('T0NEWTZ001', 'U0INSTALL2', 'Asia/Tokyo')).toBeNull();
    expect((await charters.current('T0NEWTZ001')).charter.timezone).toBe('America/Chicago');
    for (const tz of [null, 'UTC', 'Mars/Olympus_Mons']) expect(await charters.adoptInstallerTimezone('T0NEWTZ002', 'U0INSTALL1', tz)).toBeNull();
    expect((await charters.current('T0NEWTZ002')).stored).toBe(false);
  });
});
