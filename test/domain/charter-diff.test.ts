import fc from 'fast-check';
import { WEEKDAYS, type Charter, type CharterInput } from '../../src/domain/charter';
import { CHANGES_SHOWN, describeChange, describeHistoryEntry, diffCharters, type CharterChange } from '../../src/domain/charter-diff';
import { makeCharter } from '../helpers/charter';

const base = makeCharter({});
const with_ = (input: CharterInput): Charter => makeCharter(input);

/** The one change between the defaults and `input`, in words. */
const only = (input: CharterInput, before: CharterInput = {}): string => {
  const changes = diffCharters(makeCharter(before), with_(input));
  expect(changes).toHaveLength(1);
  return describeChange(changes[0] as CharterChange);
};

describe('diffCharters', () => {
  it('finds nothing between a charter and itself, and treats null as the defaults', () => {
    expect(diffCharters(base, base)).toEqual([]);
    expect(diffCharters(null, base)).toEqual([]);
    expect(diffCharters(null, with_({ timezone: 'Europe/Berlin' }))).toEqual([{ path: 'timezone', from: 'UTC', to: 'Europe/Berlin' }]);
  });

  it('names leaves in dotted form, lists and spans as whole values, in charter order', () => {
    const after = with_({ workdays: ['mon', 'tue'], working_hours: { start: '08:00', end: '16:00' }, response_windows: { normal: { working_minutes: 240 } }, nudges: { early_followups: false } });
    expect(diffCharters(base, after)).toEqual([
      { path: 'workdays', from: ['mon', 'tue', 'wed', 'thu', 'fri'], to: ['mon', 'tue'] },
      { path: 'working_hours', from: { start: '09:00', end: '17:00' }, to: { start: '08:00', end: '16:00' } },
      { path: 'response_windows.normal.working_minutes', from: 480, to: 240 },
      { path: 'nudges.early_followups', from: true, to: false },
    ]);
  });

  it('reports a channel override added or removed as one change, and a changed one leaf by leaf', () => {
    const one = with_({ channel_overrides: { C0SUPPORT: { urgent: true, nudges: { meeting_requests: false } } } });
    expect(diffCharters(base, one)).toEqual([{ path: 'channel_overrides.C0SUPPORT', from: undefined, to: { urgent: true, nudges: { meeting_requests: false } } }]);
    expect(diffCharters(one, base)).toEqual([{ path: 'channel_overrides.C0SUPPORT', from: { urgent: true, nudges: { meeting_requests: false } }, to: undefined }]);
    const changed = with_({ channel_overrides: { C0SUPPORT: { urgent: false, nudges: { meeting_requests: false }, response_windows: { normal: { working_minutes: 120 } } } } });
    expect(diffCharters(one, changed)).toEqual([
      { path: 'channel_overrides.C0SUPPORT.response_windows.normal.working_minutes', from: undefined, to: 120 },
      { path: 'channel_overrides.C0SUPPORT.urgent', from: true, to: false },
    ]);
  });

  it('sees an empty channel_overrides appear (JSON differs) but not a change of key order', () => {
    expect(diffCharters(base, with_({ channel_overrides: {} }))).toEqual([{ path: 'channel_overrides', from: undefined, to: {} }]);
    const ab = with_({ channel_overrides: { C0AAA: { urgent: true }, C0BBB: { urgent: false } } });
    const ba = with_({ channel_overrides: { C0BBB: { urgent: false }, C0AAA: { urgent: true } } });
    expect(diffCharters(ab, ba)).toEqual([]);
  });
});

describe('describeChange: every field type with its unit', () => {
  it.each<[string, CharterInput, string, CharterInput?]>([
    ['working minutes (shortened path)', { response_windows: { normal: { working_minutes: 240 } } }, 'response_windows.normal from 480 to 240 working minutes'],
    ['wall-clock minutes', { response_windows: { urgent: { minutes: 30 } } }, 'response_windows.urgent from 60 to 30 minutes'],
    ['days', { retention_days: 90 }, 'retention_days from 180 to 90 days'],
    ['weeks', { pilot: { weeks: 8 } }, 'pilot.weeks from 6 to 8 weeks'],
    ['people', { min_group_size: 3 }, 'min_group_size from 5 to 3 people'],
    ['boolean', { reactions_count_as_response: false }, 'reactions_count_as_response from on to off'],
    ['nested boolean', { nudges: { meeting_requests: false } }, 'nudges.meeting_requests from on to off'],
    ['boolean turned on', { pulse: { enabled: true } }, 'pulse.enabled from off to on'],
    ['time zone', { timezone: 'Europe/Berlin' }, 'timezone from UTC to Europe/Berlin'],
    ['weekday', { digest: { day: 'fri' } }, 'digest.day from mon to fri'],
    ['time of day', { digest: { time: '10:30' } }, 'digest.time from 09:00 to 10:30'],
    ['time span', { working_hours: { start: '08:00', end: '16:00' } }, 'working_hours from 09:00–17:00 to 08:00–16:00'],
    ['nullable span to null', { focus: { daily: null } }, 'focus.daily from 09:00–11:00 to none'],
    ['nullable span from null', { focus: { daily: { start: '13:00', end: '15:00' } } }, 'focus.daily from none to 13:00–15:00', { focus: { daily: null } }],
    ['channel from null', { digest: { channel: 'C0DIGEST' } }, 'digest.channel from none to <#C0DIGEST>'],
    ['channel to null', {}, 'digest.channel from <#C0DIGEST> to none', { digest: { channel: 'C0DIGEST' } }],
    ['date from null', { pilot: { start: '2026-12-07' } }, 'pilot.start from none to 2026-12-07'],
    ['weekdays added and removed', { workdays: ['mon', 'tue', 'wed', 'thu', 'sat'] }, 'workdays: added sat, removed fri'],
    ['weekdays only added', { workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] }, 'workdays: added sat'],
    ['weekdays reordered', { workdays: ['fri', 'mon', 'tue', 'wed', 'thu'] }, 'workdays: reordered to fri, mon, tue, wed, thu'],
    ['focus days', { focus: { days: ['wed', 'fri'] } }, 'focus.days: added fri'],
    ['dates', { holidays: ['2026-12-25', '2027-01-01'] }, 'holidays: added 2026-12-25, 2027-01-01'],
    ['dates removed', { holidays: ['2026-12-25'] }, 'holidays: removed 2027-01-01', { holidays: ['2026-12-25', '2027-01-01'] }],
    ['a long list', { holidays: ['2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-25', '2026-12-28', '2026-12-29'] }, 'holidays: added 2026-12-21, 2026-12-22, 2026-12-23, 2026-12-24, 2026-12-25 and 2 more'],
    ['channel list', { urgent_channels: ['C0INCIDENT'] }, 'urgent_channels: added <#C0INCIDENT>'],
    ['channel list swap', { excluded_channels: ['C0NEW'] }, 'excluded_channels: added <#C0NEW>, removed <#C0OLD>', { excluded_channels: ['C0OLD'] }],
    ['pilot channels', { pilot: { channels: ['C0PILOT'] } }, 'pilot.channels: added <#C0PILOT>'],
    ['users', { editors: ['U0ANA', 'U0BOB'] }, 'editors: added <@U0ANA>, <@U0BOB>'],
    ['users removed', { editors: [] }, 'editors: removed <@U0ANA>', { editors: ['U0ANA'] }],
    [
      'override added',
      { channel_overrides: { C0SUPPORT: { response_windows: { normal: { working_minutes: 120 } }, nudges: { meeting_requests: false }, urgent: true } } },
      'channel_overrides: added <#C0SUPPORT> (response_windows.normal 120 working minutes, nudges.meeting_requests off, urgent on)',
    ],
    ['override added with nothing in it', { channel_overrides: { C0SUPPORT: {} } }, 'channel_overrides: added <#C0SUPPORT>', { channel_overrides: {} }],
    ['override removed', { channel_overrides: {} }, 'channel_overrides: removed <#C0SUPPORT>', { channel_overrides: { C0SUPPORT: { urgent: true } } }],
    ['override leaf changed', { channel_overrides: { C0SUPPORT: { response_windows: { urgent: { minutes: 15 } } } } }, 'response_windows.urgent for <#C0SUPPORT> from 30 to 15 minutes', { channel_overrides: { C0SUPPORT: { response_windows: { urgent: { minutes: 30 } } } } }],
    ['override leaf set', { channel_overrides: { C0SUPPORT: { urgent: true, nudges: { early_followups: false } } } }, 'nudges.early_followups for <#C0SUPPORT> from unset to off', { channel_overrides: { C0SUPPORT: { urgent: true } } }],
    ['override leaf unset', { channel_overrides: { C0SUPPORT: { urgent: true } } }, 'response_windows.normal for <#C0SUPPORT> from 120 working minutes to unset', { channel_overrides: { C0SUPPORT: { urgent: true, response_windows: { normal: { working_minutes: 120 } } } } }],
    ['overrides appear empty', { channel_overrides: {} }, 'channel_overrides from unset to none'],
  // A rest parameter: jest would take a 4th named parameter of a 3-item row for its `done` callback.
  ])('%s', (...row) => {
    const [, after, words, before] = row;
    expect(only(after, before)).toBe(words);
  });
});

describe('describeHistoryEntry', () => {
  // 09:04 UTC on 3 Dec 2026 is 10:04 in Berlin (CET).
  const at = Date.UTC(2026, 11, 3, 9, 4);
  const tz = 'Europe/Berlin';
  const halve = diffCharters(base, with_({ response_windows: { normal: { working_minutes: 240 } } }));

  it('says who changed what, in the viewer zone', () => {
    expect(describeHistoryEntry({ who: 'Ana', at, tz, changes: halve, first: false })).toBe('Ana changed response_windows.normal from 480 to 240 working minutes, 3 Dec 10:04');
    expect(describeHistoryEntry({ who: 'Ana', at, tz: 'America/New_York', changes: halve, first: false })).toBe('Ana changed response_windows.normal from 480 to 240 working minutes, 3 Dec 04:04');
  });

  it('joins several changes with "; " and stops after five with "and N more"', () => {
    const two = diffCharters(base, with_({ timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'sat'] }));
    expect(describeHistoryEntry({ who: 'the CLI', at, tz, changes: two, first: false })).toBe('the CLI changed timezone from UTC to Europe/Berlin; workdays: added sat, removed fri, 3 Dec 10:04');
    const seven = diffCharters(base, with_({ timezone: 'Asia/Tokyo', retention_days: 30, min_group_size: 3, reactions_count_as_response: false, editors: ['U0ANA'], pulse: { enabled: true }, digest: { day: 'tue' } }));
    expect(seven).toHaveLength(7);
    const line = describeHistoryEntry({ who: 'Ana', at, tz, changes: seven, first: false });
    expect(line.split('; ')).toHaveLength(CHANGES_SHOWN + 1);
    expect(line).toBe(
      'Ana changed timezone from UTC to Asia/Tokyo; digest.day from mon to tue; reactions_count_as_response from on to off; min_group_size from 5 to 3 people; editors: added <@U0ANA>; and 2 more, 3 Dec 10:04',
    );
  });

  it('says unchanged, first, unreadable', () => {
    expect(describeHistoryEntry({ who: 'Ana', at, tz, changes: [], first: false })).toBe('Ana saved the charter unchanged, 3 Dec 10:04');
    expect(describeHistoryEntry({ who: 'Ana', at, tz, changes: halve, first: true })).toBe('Ana set the charter, 3 Dec 10:04');
    expect(describeHistoryEntry({ who: 'someone', at, tz, changes: [], first: false, unreadable: 'entry' })).toBe('someone saved a charter that no longer validates (unreadable), 3 Dec 10:04');
    expect(describeHistoryEntry({ who: 'Ana', at, tz, changes: [], first: true, unreadable: 'entry' })).toBe('Ana set a charter that no longer validates (unreadable), 3 Dec 10:04');
    expect(describeHistoryEntry({ who: 'Ana', at, tz, changes: [], first: false, unreadable: 'previous' })).toBe('Ana saved the charter (the version before it is unreadable), 3 Dec 10:04');
  });

  it('shows the year only when it is not the current one', () => {
    expect(describeHistoryEntry({ who: 'Ana', at, tz, changes: [], first: false, now: Date.UTC(2026, 11, 31) })).toBe('Ana saved the charter unchanged, 3 Dec 10:04');
    expect(describeHistoryEntry({ who: 'Ana', at, tz, changes: [], first: false, now: Date.UTC(2027, 0, 2) })).toBe('Ana saved the charter unchanged, 3 Dec 2026 10:04');
  });
});

describe('diffCharters properties', () => {
  const channel = fc.constantFrom('C0AAA', 'C0BBB', 'C0CCC', 'G0PRIV');
  const day = fc.constantFrom(...WEEKDAYS);
  const days = fc.uniqueArray(day, { minLength: 1, maxLength: 3 });
  const time = fc.constantFrom('08:00', '09:00', '13:30');
  const span = fc.constantFrom({ start: '08:00', end: '16:00' }, { start: '09:00', end: '17:00' }, { start: '10:00', end: '12:00' });
  const minutes = fc.constantFrom(30, 60, 240, 480);
  const switches = { meeting_requests: fc.boolean(), off_hours_mentions: fc.boolean(), early_followups: fc.boolean() };
  const override = fc.record(
    {
      response_windows: fc.record({ normal: fc.record({ working_minutes: minutes }), urgent: fc.record({ minutes }) }, { requiredKeys: [] }),
      nudges: fc.record(switches, { requiredKeys: [] }),
      urgent: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const charterInput: fc.Arbitrary<CharterInput> = fc.record(
    {
      timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'),
      workdays: days,
      working_hours: span,
      holidays: fc.array(fc.constantFrom('2026-12-24', '2026-12-25', '2027-01-01'), { maxLength: 3 }),
      response_windows: fc.record({ normal: fc.record({ working_minutes: minutes }), urgent: fc.record({ minutes }) }),
      urgent_channels: fc.array(channel, { maxLength: 3 }),
      focus: fc.record({ days, daily: fc.option(span, { nil: null }) }),
      digest: fc.record({ channel: fc.option(channel, { nil: null }), day, time }),
      nudges: fc.record(switches),
      reactions_count_as_response: fc.boolean(),
      excluded_channels: fc.array(channel, { maxLength: 2 }),
      min_group_size: fc.integer({ min: 1, max: 6 }),
      editors: fc.uniqueArray(fc.constantFrom('U0ANA', 'U0BOB', 'W0CAT'), { maxLength: 2 }),
      pilot: fc.record({ start: fc.option(fc.constantFrom('2026-12-07', '2027-01-04'), { nil: null }), weeks: fc.integer({ min: 1, max: 8 }), channels: fc.array(channel, { maxLength: 2 }) }),
      pulse: fc.record({ enabled: fc.boolean(), day, time }),
      retention_days: fc.constantFrom(30, 180, 365),
      channel_overrides: fc.dictionary(channel, override, { maxKeys: 3 }),
    },
    { requiredKeys: [] },
  );
  /** b mixes some of a's top-level fields with another charter's, so equal and unequal pairs both occur. */
  const pair = fc.tuple(charterInput, charterInput, fc.subarray(['timezone', 'workdays', 'holidays', 'response_windows', 'focus', 'nudges', 'editors', 'channel_overrides', 'pilot'])).map(([a, other, keys]) => {
    const b: Record<string, unknown> = { ...a };
    for (const k of keys) {
      if (k in other) b[k] = (other as Record<string, unknown>)[k];
      else delete b[k];
    }
    return [makeCharter(a), makeCharter(b as CharterInput)] as const;
  });
  /** JSON with object keys sorted: the order of channel ids in channel_overrides is not a difference. */
  const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => p.localeCompare(q))) : x));
  const at = (c: Charter, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), c);

  it('a → a is empty', () => {
    fc.assert(fc.property(charterInput, (input) => diffCharters(makeCharter(input), makeCharter(input)).length === 0));
  });

  it('a → b is non-empty exactly when a and b differ as JSON; every change names what is at its path on each side', () => {
    let equal = 0;
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const changes = diffCharters(a, b);
        if (json(a) === json(b)) equal++;
        expect(changes.length > 0).toBe(json(a) !== json(b));
        expect(new Set(changes.map((c) => c.path)).size).toBe(changes.length);
        for (const c of changes) {
          expect(json(c.from)).toBe(json(at(a, c.path)));
          expect(json(c.to)).toBe(json(at(b, c.path)));
          expect(describeChange(c)).not.toMatch(/undefined|\[object|NaN/);
        }
      }),
      { numRuns: 300 },
    );
    expect(equal).toBeGreaterThan(0);
  });
});
