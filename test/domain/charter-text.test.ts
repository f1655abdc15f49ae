import { DateTime } from 'luxon';
import type { Weekday } from '../../src/domain/charter';
import { dayList, describeCharter, type CharterSection } from '../../src/domain/charter-text';
import { makeCharter } from '../helpers/charter';

/**
 * Blind tests of the charter in words (`/async charter`, App Home), from SPEC §1 and the
 * module's contract: working hours local to each person, windows in hours and minutes, the
 * digest time in the charter zone and, when it differs, the caller's, for the next slot.
 */

const T = (iso: string, zone = 'UTC'): number => DateTime.fromISO(iso, { zone }).toMillis();
const NOW = T('2026-11-25T12:00'); // a Wednesday
const DIGEST = 'C0DIGEST01';

const section = (sections: CharterSection[], title: string): string[] => {
  const s = sections.find((x) => x.title === title);
  if (s === undefined) throw new Error(`no section "${title}" in ${sections.map((x) => x.title).join(', ')}`);
  return s.lines;
};
const digestLine = (charterTz: string, callerTz: string, now: number, digest: { day?: Weekday; time?: string } = {}): string =>
  section(describeCharter(makeCharter({ timezone: charterTz, digest: { channel: DIGEST, ...digest } }), { callerTz, channel: null, now }), 'Weekly digest')[0] as string;

describe('dayList', () => {
  it.each<[Weekday[], string]>([
    [['mon', 'tue', 'wed', 'thu', 'fri'], 'Mon–Fri'],
    [['mon', 'wed', 'fri'], 'Mon, Wed, Fri'],
    [['sat', 'sun'], 'Sat, Sun'],
    [['fri', 'mon', 'thu', 'tue', 'wed'], 'Mon–Fri'],
    [['wed', 'mon'], 'Mon, Wed'],
    [['mon', 'tue', 'wed', 'fri', 'sat', 'sun'], 'Mon–Wed, Fri–Sun'],
    [['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], 'Mon–Sun'],
    [['mon', 'tue'], 'Mon, Tue'],
    [['thu'], 'Thu'],
    [[], 'no day'],
  ])('%j → %s', (days, text) => {
    expect(dayList(days)).toBe(text);
  });
});

describe('describeCharter: the default charter', () => {
  it('reads, line by line, for a caller in UTC with no channel', () => {
    expect(describeCharter(makeCharter(), { callerTz: 'UTC', channel: null, now: NOW })).toEqual([
      { title: 'Working time', lines: ["Mon–Fri, 09:00–17:00 in each person's own Slack time zone (yours: UTC).", 'No charter-wide holidays.'] },
      { title: 'Response windows', lines: ["An @mention deserves an answer within 8 h of the recipient's working time; urgent: 1 h on the clock.", 'Answering in the thread or channel, or with a reaction, counts.'] },
      { title: 'Focus', lines: ['No-meeting Wednesday.', 'Daily focus block 09:00–11:00, your local time.', 'Start your own with `/async focus`.'] },
      { title: 'Urgent path', lines: ['No urgent channel set: the urgent window applies nowhere yet.'] },
      { title: 'Weekly digest', lines: ['No digest channel yet: an admin can pick one with `/async config`.', 'Team figures are shown only for groups of at least 5 people.'] },
      { title: 'Nudges', lines: ['Meeting requests: on · off-hours mentions: on · early follow-ups: on.', 'Nudges are private, and `/async snooze` pauses them for you.'] },
    ]);
  });

  it('names the caller’s own zone, and does not depend on `now` otherwise', () => {
    const a = describeCharter(makeCharter(), { callerTz: 'Asia/Kolkata', channel: null, now: NOW });
    expect(section(a, 'Working time')[0]).toBe("Mon–Fri, 09:00–17:00 in each person's own Slack time zone (yours: Asia/Kolkata).");
    expect(describeCharter(makeCharter(), { callerTz: 'Asia/Kolkata', channel: null, now: NOW + 3 * 86_400_000 })).toEqual(a);
  });
});

describe('describeCharter: a charter that differs from the defaults', () => {
  const charter = makeCharter({
    workdays: ['mon', 'tue', 'wed', 'thu'],
    working_hours: { start: '08:00', end: '16:30' },
    holidays: ['2026-12-24', '2026-12-25'],
    response_windows: { normal: { working_minutes: 125 }, urgent: { minutes: 30 } },
    urgent_channels: ['C0URGENT01', 'C0URGENT02'],
    focus: { days: ['wed', 'fri'], daily: null },
    reactions_count_as_response: false,
    min_group_size: 3,
    nudges: { meeting_requests: false, off_hours_mentions: true, early_followups: false },
  });
  const s = describeCharter(charter, { callerTz: 'Europe/Berlin', channel: null, now: NOW });

  it('working time and holidays', () => {
    expect(section(s, 'Working time')).toEqual(["Mon–Thu, 08:00–16:30 in each person's own Slack time zone (yours: Europe/Berlin).", 'Holidays: 2026-12-24, 2026-12-25.']);
  });
  it('response windows in hours and minutes; reactions not mentioned when they do not count', () => {
    expect(section(s, 'Response windows')).toEqual(["An @mention deserves an answer within 2 h 5 min of the recipient's working time; urgent: 30 min on the clock.", 'Answering in the thread or channel counts.']);
  });
  it('whole-day windows read in hours', () => {
    const c = makeCharter({ response_windows: { normal: { working_minutes: 1440 }, urgent: { minutes: 90 } } });
    expect(section(describeCharter(c, { callerTz: 'UTC', channel: null, now: NOW }), 'Response windows')[0]).toBe("An @mention deserves an answer within 24 h of the recipient's working time; urgent: 1 h 30 min on the clock.");
  });
  it('focus days and no daily block', () => {
    expect(section(s, 'Focus')).toEqual(['No-meeting Wednesday, Friday.', 'No daily focus block.', 'Start your own with `/async focus`.']);
    const none = makeCharter({ focus: { days: [] } });
    expect(section(describeCharter(none, { callerTz: 'UTC', channel: null, now: NOW }), 'Focus')[0]).toBe('No meeting-free days.');
  });
  it('the urgent path names the urgent channels', () => {
    expect(section(s, 'Urgent path')).toEqual(['Urgent requests go to <#C0URGENT01>, <#C0URGENT02>.']);
  });
  it('the urgent path counts a channel made urgent by channel_overrides (SPEC §1, §4: its requests are urgent)', () => {
    const only = makeCharter({ channel_overrides: { C0OVURGENT: { urgent: true } } });
    const a = section(describeCharter(only, { callerTz: 'UTC', channel: null, now: NOW }), 'Urgent path').join(' ');
    expect(a).not.toMatch(/applies nowhere/);
    expect(a).toContain('<#C0OVURGENT>');
    const both = makeCharter({ urgent_channels: ['C0URGENT01'], channel_overrides: { C0OVURGENT: { urgent: true }, C0NOTURGNT: { urgent: false } } });
    const b = section(describeCharter(both, { callerTz: 'UTC', channel: null, now: NOW }), 'Urgent path').join(' ');
    expect(b).toContain('<#C0URGENT01>');
    expect(b).toContain('<#C0OVURGENT>');
    expect(b).not.toContain('<#C0NOTURGNT>');
  });
  it('the group-size rule and nudge switches', () => {
    expect(section(s, 'Weekly digest')[1]).toBe('Team figures are shown only for groups of at least 3 people.');
    expect(section(s, 'Nudges')[0]).toBe('Meeting requests: off · off-hours mentions: on · early follow-ups: off.');
  });
});

describe('describeCharter: holidays', () => {
  const days = (n: number) => Array.from({ length: n }, (_, i) => DateTime.fromISO('2026-01-01', { zone: 'UTC' }).plus({ days: i }).toISODate() as string);
  const line = (n: number) => section(describeCharter(makeCharter({ holidays: days(n) }), { callerTz: 'UTC', channel: null, now: NOW }), 'Working time')[1];

  it('lists up to 12', () => {
    expect(line(1)).toBe('Holidays: 2026-01-01.');
    expect(line(12)).toBe(`Holidays: ${days(12).join(', ')}.`);
  });
  it.each([
    [13, 1],
    [15, 3],
    [40, 28],
  ])('%i holidays: the first 12, "and %i more"', (n, more) => {
    expect(line(n)).toBe(`Holidays: ${days(12).join(', ')} and ${more} more.`);
  });
});

describe('describeCharter: the weekly digest time', () => {
  it('in the charter zone only, when the caller is in it', () => {
    expect(digestLine('UTC', 'UTC', NOW)).toBe(`Posted in <#${DIGEST}> every Monday at 09:00 UTC.`);
    expect(digestLine('America/New_York', 'America/New_York', NOW, { day: 'fri', time: '16:00' })).toBe(`Posted in <#${DIGEST}> every Friday at 16:00 America/New_York.`);
  });

  it('a caller in Asia/Kolkata sees it converted: Mon 09:00 UTC → Mon 14:30', () => {
    expect(digestLine('UTC', 'Asia/Kolkata', NOW)).toBe(`Posted in <#${DIGEST}> every Monday at 09:00 UTC (Mon 14:30 your time).`);
  });

  it('the caller’s day can differ from the charter’s: Fri 18:00 Los Angeles → Sat 11:00 Tokyo', () => {
    expect(digestLine('America/Los_Angeles', 'Asia/Tokyo', NOW, { day: 'fri', time: '18:00' })).toBe(`Posted in <#${DIGEST}> every Friday at 18:00 America/Los_Angeles (Sat 11:00 your time).`);
  });

  describe('DST: New York charter, Mon 09:00; caller in London (US changes 8 Mar 2026, EU 29 Mar)', () => {
    it.each([
      ['before both changes, next slot 2 Mar', '14:00', T('2026-02-24T12:00')],
      ['now before the US change, but the next slot (9 Mar) is after it', '13:00', T('2026-03-06T12:00')],
      ['now on Monday 9 Mar before the slot', '13:00', T('2026-03-09T08:00', 'America/New_York')],
      ['now on Monday 2 Mar after that slot: the next is 9 Mar', '13:00', T('2026-03-02T10:00', 'America/New_York')],
      ['between the changes (slot 16 Mar)', '13:00', T('2026-03-11T12:00')],
      ['now on Monday 23 Mar after the slot: the next, 30 Mar, is after the EU change', '14:00', T('2026-03-23T10:00', 'America/New_York')],
      ['now before the EU change, next slot 30 Mar after it', '14:00', T('2026-03-27T12:00')],
      ['after both changes', '14:00', T('2026-04-07T12:00')],
    ])('%s → Mon %s London', (_name, london, now) => {
      expect(digestLine('America/New_York', 'Europe/London', now)).toBe(`Posted in <#${DIGEST}> every Monday at 09:00 America/New_York (Mon ${london} your time).`);
    });
  });

  it('autumn: Europe changes 25 Oct 2026, the US 1 Nov; a London charter Mon 09:00 seen from New York', () => {
    expect(digestLine('Europe/London', 'America/New_York', T('2026-10-20T12:00'))).toBe(`Posted in <#${DIGEST}> every Monday at 09:00 Europe/London (Mon 05:00 your time).`); // slot 26 Oct: London on GMT, New York still on EDT
    expect(digestLine('Europe/London', 'America/New_York', T('2026-10-27T12:00'))).toBe(`Posted in <#${DIGEST}> every Monday at 09:00 Europe/London (Mon 04:00 your time).`); // slot 2 Nov: both on winter time
    expect(digestLine('Europe/London', 'America/New_York', T('2026-10-13T12:00'))).toBe(`Posted in <#${DIGEST}> every Monday at 09:00 Europe/London (Mon 04:00 your time).`); // slot 19 Oct: both summer
  });
});

describe('describeCharter: this channel', () => {
  const charter = makeCharter({
    excluded_channels: ['C0EXCLUDE1'],
    urgent_channels: ['C0URGENT01'],
    channel_overrides: {
      C0OVURGENT: { urgent: true },
      C0WINDOW01: { response_windows: { normal: { working_minutes: 90 } } },
      C0NUDGES01: { nudges: { meeting_requests: false } },
      C0BOTH0001: { response_windows: { urgent: { minutes: 15 } }, nudges: { off_hours_mentions: false, early_followups: false } },
      C0NOTURGNT: { urgent: false },
      C0EXCLUDE1: { urgent: true },
    },
  });
  const last = (channel: string): CharterSection => {
    const s = describeCharter(charter, { callerTz: 'UTC', channel, now: NOW });
    expect(s).toHaveLength(7);
    return s[6] as CharterSection;
  };

  it.each<[string, string, string[]]>([
    ['excluded', 'C0EXCLUDE1', ['This channel is excluded: nothing here is measured.', 'This is an urgent channel: requests here use the urgent window.']],
    ['urgent via urgent_channels', 'C0URGENT01', ['This is an urgent channel: requests here use the urgent window.']],
    ['urgent via channel_overrides.urgent', 'C0OVURGENT', ['This is an urgent channel: requests here use the urgent window.']],
    ['an override of the normal window', 'C0WINDOW01', ["Response window here: 1 h 30 min of the recipient's working time; urgent: 1 h on the clock."]],
    ['an override of one nudge switch', 'C0NUDGES01', ['Nudges here: meeting requests off, off-hours mentions on, early follow-ups on.']],
    ['overrides of the urgent window and two nudges', 'C0BOTH0001', ["Response window here: 8 h of the recipient's working time; urgent: 15 min on the clock.", 'Nudges here: meeting requests on, off-hours mentions off, early follow-ups off.']],
    ['urgent: false overrides nothing', 'C0NOTURGNT', ['No overrides: the charter above applies.']],
    ['no overrides', 'C0PLAIN001', ['No overrides: the charter above applies.']],
  ])('%s', (_name, channel, lines) => {
    expect(last(channel)).toEqual({ title: `In <#${channel}>`, lines });
  });

  it('only the excluded line for a channel that is merely excluded', () => {
    const c = makeCharter({ excluded_channels: ['C0EXCLUDE1'] });
    expect(describeCharter(c, { callerTz: 'UTC', channel: 'C0EXCLUDE1', now: NOW }).at(-1)).toEqual({ title: 'In <#C0EXCLUDE1>', lines: ['This channel is excluded: nothing here is measured.'] });
  });

  it('a channel section leaves the charter sections unchanged; no channel, no section', () => {
    const without = describeCharter(charter, { callerTz: 'UTC', channel: null, now: NOW });
    expect(without).toHaveLength(6);
    expect(without.some((s) => s.title.startsWith('In '))).toBe(false);
    expect(describeCharter(charter, { callerTz: 'UTC', channel: 'C0WINDOW01', now: NOW }).slice(0, 6)).toEqual(without);
    // The charter-wide window is not the channel's.
    expect(section(without, 'Response windows')[0]).toBe("An @mention deserves an answer within 8 h of the recipient's working time; urgent: 1 h on the clock.");
  });

  it('a charter without channel_overrides still describes a channel', () => {
    expect(describeCharter(makeCharter(), { callerTz: 'UTC', channel: 'C0PLAIN001', now: NOW }).at(-1)).toEqual({ title: 'In <#C0PLAIN001>', lines: ['No overrides: the charter above applies.'] });
  });
});
