import fc from 'fast-check';
import { DateTime } from 'luxon';
import { makeCharter } from '../helpers/charter';
import {
  DECISION_MAX_CHARS,
  FOCUS_MAX_MINUTES,
  SNOOZE_DEFAULT_DAYS,
  SNOOZE_MAX_DAYS,
  SUBCOMMANDS,
  decodeSlackEscapes,
  focusEnd,
  parseAsyncCommand,
  wallTimeEnd,
  type AsyncCommand,
  type FocusUntil,
} from '../../src/domain/commands';
import { wallTimeInstants } from '../../src/domain/working-time';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const SYDNEY = 'Australia/Sydney';
const SANTIAGO = 'America/Santiago';
const KOLKATA = 'Asia/Kolkata';
const ZONES = [NY, BERLIN, SYDNEY, SANTIAGO, KOLKATA] as const;
const HOUR = 3_600_000;
const MIN = 60_000;

/** An instant from an ISO time that carries its own offset (so a repeated wall time is unambiguous). */
const ms = (iso: string): number => {
  const d = DateTime.fromISO(iso, { setZone: true });
  if (!d.isValid || !/[+-]\d\d:\d\d$|Z$/.test(iso)) throw new Error(`bad instant ${iso}`);
  return d.toMillis();
};
/** The instant t as local ISO with offset in tz, seconds shown, no milliseconds. */
const local = (t: number, tz: string): string => DateTime.fromMillis(t, { zone: tz }).toISO({ suppressMilliseconds: true }) ?? 'invalid';

const FOCUS_EXAMPLE = '/async focus 11:00 · /async focus 90m · /async focus tomorrow 10:00';
const at = (hour: number, minute: number, day: 'today-or-next' | 'tomorrow' = 'today-or-next'): FocusUntil => ({ kind: 'at', hour, minute, day });
const forMin = (minutes: number): FocusUntil => ({ kind: 'for', minutes });
const focus = (until: FocusUntil): AsyncCommand => ({ kind: 'focus', until });
const bad = (subcommand: string) => expect.objectContaining({ kind: 'invalid', subcommand, problem: expect.stringMatching(/\S/), example: expect.stringMatching(/^\/async /) });

describe('parseAsyncCommand: every subcommand of SPEC §6', () => {
  it.each<[string, unknown]>([
    // help
    ['', { kind: 'help' }],
    ['   \n\t ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP me please', { kind: 'help' }],
    ['foo', { kind: 'help', unknown: 'foo' }],
    ['Dance all night', { kind: 'help', unknown: 'Dance' }],
    ['`rm`', { kind: 'help', unknown: 'rm' }],
    [`${'x'.repeat(60)}`, { kind: 'help', unknown: `${'x'.repeat(39)}…` }],
    ['forget', { kind: 'help', unknown: 'forget' }],
    ['forget meeting', { kind: 'help', unknown: 'forget' }],
    // charter
    ['charter', { kind: 'charter', history: false }],
    ['Charter HISTORY', { kind: 'charter', history: true }],
    ['charter foo', { kind: 'invalid', subcommand: 'charter', problem: '`charter` takes nothing, or `history`.', example: '/async charter · /async charter history' }],
    ['charter history please', bad('charter')],
    // stats
    ['stats', { kind: 'stats', channel: null }],
    ['stats <#C0123ABCD|general>', { kind: 'stats', channel: { id: 'C0123ABCD', name: 'general' } }],
    ['stats   <#C0123ABCD>  ', { kind: 'stats', channel: { id: 'C0123ABCD', name: null } }],
    ['stats <#C0123ABCD|>', { kind: 'stats', channel: { id: 'C0123ABCD', name: null } }],
    ['STATS <#G0PRIVATE1|team-secret>', { kind: 'stats', channel: { id: 'G0PRIVATE1', name: 'team-secret' } }],
    ['stats <#C0123ABCD|r&amp;d>', { kind: 'stats', channel: { id: 'C0123ABCD', name: 'r&d' } }],
    ['stats #general', { kind: 'invalid', subcommand: 'stats', problem: "I couldn't find that channel; pick it from the list as you type #", example: '/async stats · /async stats #general' }],
    ['stats general', bad('stats')],
    ['stats <@U0123ABCD>', bad('stats')],
    ['stats <#C0123ABCD|a> <#C0456EFGH|b>', bad('stats')],
    // memo, digest, config
    ['memo', { kind: 'memo' }],
    ['memo our Q3 plan', { kind: 'invalid', subcommand: 'memo', problem: '`/async memo` takes nothing after it.', example: '/async memo' }],
    ['digest', { kind: 'digest' }],
    ['Digest now', bad('digest')],
    ['config', { kind: 'config' }],
    ['  CONFIG  ', { kind: 'config' }],
    // decision
    ['decision We ship v2 on Friday; Ana owns the rollout', { kind: 'decision', text: 'We ship v2 on Friday; Ana owns the rollout' }],
    ['DECISION   keep the case of the text  ', { kind: 'decision', text: 'keep the case of the text' }],
    ['decision a &lt; b &amp;&amp; c &gt; d', { kind: 'decision', text: 'a < b && c > d' }],
    ['decision literally &amp;lt;', { kind: 'decision', text: 'literally &lt;' }],
    ['decision <@U123> owns <#C0123ABCD|general>\nline two', { kind: 'decision', text: '<@U123> owns <#C0123ABCD|general>\nline two' }],
    ['decision', { kind: 'invalid', subcommand: 'decision', problem: 'Write the decision after `decision`.', example: '/async decision We ship v2 on Friday; Ana owns the rollout' }],
    ['decision    \n  ', bad('decision')],
    [`decision ${'d'.repeat(DECISION_MAX_CHARS)}`, { kind: 'decision', text: 'd'.repeat(DECISION_MAX_CHARS) }],
    [`decision ${'d'.repeat(DECISION_MAX_CHARS + 1)}`, { kind: 'invalid', subcommand: 'decision', problem: expect.stringContaining('at most 2000 characters; this one has 2001'), example: '/async decision We ship v2 on Friday; Ana owns the rollout' }],
    [`decision ${'&amp;'.repeat(DECISION_MAX_CHARS)}`, { kind: 'decision', text: '&'.repeat(DECISION_MAX_CHARS) }],
    [`decision ${'😀'.repeat(DECISION_MAX_CHARS)}`, { kind: 'decision', text: '😀'.repeat(DECISION_MAX_CHARS) }],
    // focus
    ['focus', focus({ kind: 'default' })],
    ['focus off', { kind: 'focus-off' }],
    ['focus STOP', { kind: 'focus-off' }],
    ['focus end', { kind: 'focus-off' }],
    ['focus 11:00', focus(at(11, 0))],
    ['focus 9:30', focus(at(9, 30))],
    ['focus 09:05', focus(at(9, 5))],
    ['focus 0:00', focus(at(0, 0))],
    ['focus 23:59', focus(at(23, 59))],
    ['focus 11am', focus(at(11, 0))],
    ['focus 3pm', focus(at(15, 0))],
    ['focus 3:30PM', focus(at(15, 30))],
    ['focus 3:30 pm', focus(at(15, 30))],
    ['focus 12am', focus(at(0, 0))],
    ['focus 12pm', focus(at(12, 0))],
    ['focus 10 a.m.', focus(at(10, 0))],
    ['focus until 11:00', focus(at(11, 0))],
    ['focus tomorrow 10:00', focus(at(10, 0, 'tomorrow'))],
    ['Focus Tomorrow 9am', focus(at(9, 0, 'tomorrow'))],
    ['focus until tomorrow 7:15', focus(at(7, 15, 'tomorrow'))],
    ['focus 90m', focus(forMin(90))],
    ['focus 2h', focus(forMin(120))],
    ['focus 1h30m', focus(forMin(90))],
    ['focus 1h 30m', focus(forMin(90))],
    ['focus 1.5h', focus(forMin(90))],
    ['focus 1,5h', focus(forMin(90))],
    ['focus 45 min', focus(forMin(45))],
    ['focus 2 hours', focus(forMin(120))],
    ['focus for 90 minutes', focus(forMin(90))],
    ['focus 12h', focus(forMin(720))],
    ['focus 24h', focus(forMin(FOCUS_MAX_MINUTES))],
    ['focus 720m', focus(forMin(720))],
    ['focus banana', { kind: 'invalid', subcommand: 'focus', problem: expect.stringContaining('`banana`'), example: FOCUS_EXAMPLE }],
    ['focus 25:00', { kind: 'invalid', subcommand: 'focus', problem: '`25:00` isn\'t a time of day.', example: FOCUS_EXAMPLE }],
    ['focus 24:00', bad('focus')],
    ['focus 11:60', bad('focus')],
    ['focus 13pm', bad('focus')],
    ['focus 0am', bad('focus')],
    ['focus 0m', { kind: 'invalid', subcommand: 'focus', problem: 'Focus needs to last at least 1 minute.', example: FOCUS_EXAMPLE }],
    ['focus 0h', bad('focus')],
    ['focus -2h', { kind: 'invalid', subcommand: 'focus', problem: 'A duration cannot be negative.', example: FOCUS_EXAMPLE }],
    ['focus 25h', { kind: 'invalid', subcommand: 'focus', problem: 'Focus can last at most 24 hours; that is 25 h.', example: FOCUS_EXAMPLE }],
    ['focus 24h1m', { kind: 'invalid', subcommand: 'focus', problem: 'Focus can last at most 24 hours; that is 24 h 1 min.', example: FOCUS_EXAMPLE }],
    ['focus 721m', focus(forMin(721))],
    ['focus 1441m', bad('focus')],
    ['focus 14', { kind: 'invalid', subcommand: 'focus', problem: expect.stringContaining('`14:00` for a time, or `14m` for minutes'), example: FOCUS_EXAMPLE }],
    ['focus 120', { kind: 'invalid', subcommand: 'focus', problem: expect.stringContaining('`120m`'), example: FOCUS_EXAMPLE }],
    ['focus 90.5m', bad('focus')],
    ['focus tomorrow', { kind: 'invalid', subcommand: 'focus', problem: expect.stringContaining('what time tomorrow'), example: FOCUS_EXAMPLE }],
    ['focus tomorrow 2h', bad('focus')],
    ['focus until 90m', bad('focus')],
    ['focus for 11:00', bad('focus')],
    ['focus until', bad('focus')],
    ['focus 11:00 15:00', bad('focus')],
    ['focus off now', bad('focus')],
    // snooze
    ['snooze', { kind: 'snooze', days: SNOOZE_DEFAULT_DAYS }],
    ['snooze 3', { kind: 'snooze', days: 3 }],
    ['snooze 3 days', { kind: 'snooze', days: 3 }],
    ['snooze 1d', { kind: 'snooze', days: 1 }],
    ['snooze 90', { kind: 'snooze', days: SNOOZE_MAX_DAYS }],
    ['snooze off', { kind: 'snooze', days: 0 }],
    ['SNOOZE OFF', { kind: 'snooze', days: 0 }],
    ['snooze 0', { kind: 'snooze', days: 0 }],
    ['snooze -3', { kind: 'invalid', subcommand: 'snooze', problem: expect.stringContaining('whole number of days from 0 to 90'), example: '/async snooze 3 · /async snooze off' }],
    ['snooze 91', { kind: 'invalid', subcommand: 'snooze', problem: 'Snooze lasts at most 90 days.', example: '/async snooze 3 · /async snooze off' }],
    ['snooze 99999999999999999999', bad('snooze')],
    ['snooze abc', bad('snooze')],
    ['snooze 1.5', bad('snooze')],
    ['snooze 3 weeks', bad('snooze')],
    // pilot
    ['pilot', { kind: 'pilot', action: 'status' }],
    ['pilot start', { kind: 'pilot', action: 'start' }],
    ['Pilot STOP', { kind: 'pilot', action: 'stop' }],
    ['pilot status', { kind: 'pilot', action: 'status' }],
    ['pilot go', { kind: 'invalid', subcommand: 'pilot', problem: '`pilot` takes `start`, `stop` or `status`.', example: '/async pilot start · /async pilot stop · /async pilot status' }],
    ['pilot start now', bad('pilot')],
    // forget-me
    ['forget-me', { kind: 'forget-me' }],
    ['forgetme', { kind: 'forget-me' }],
    ['forget me', { kind: 'forget-me' }],
    ['FORGET   ME', { kind: 'forget-me' }],
    ['forget–me', { kind: 'forget-me' }],
    ['forget me please', bad('forget-me')],
    ['forget-me now', bad('forget-me')],
  ])('%j', (text, expected) => {
    expect(parseAsyncCommand(text)).toEqual(expected);
  });

  it('ignores surrounding whitespace of any kind, including a non-breaking space', () => {
    expect(parseAsyncCommand('\u00a0\n  focus\u00a0\t90m \r\n')).toEqual(focus(forMin(90)));
    expect(parseAsyncCommand('\tstats\n<#C0123ABCD|general>\n')).toEqual({ kind: 'stats', channel: { id: 'C0123ABCD', name: 'general' } });
  });

  it('decodes exactly the three Slack escapes, &amp; last', () => {
    expect(decodeSlackEscapes('&lt;&gt;&amp;&amp;lt;&quot;')).toBe('<>&&lt;&quot;');
  });
});

describe('SUBCOMMANDS (what help lists)', () => {
  const names = (usage: string) => usage.split(' ')[1];
  it('lists every subcommand of SPEC §6 once, admin ones marked', () => {
    expect(SUBCOMMANDS.map((s) => names(s.usage))).toEqual(['help', 'charter', 'stats', 'memo', 'decision', 'focus', 'snooze', 'digest', 'pilot', 'config', 'forget-me']);
    expect(SUBCOMMANDS.filter((s) => s.admin).map((s) => names(s.usage))).toEqual(['pilot', 'config']);
    for (const s of SUBCOMMANDS) expect(s.what).toMatch(/\S/);
  });

  it('every example parses to its own subcommand, never to invalid or unknown', () => {
    for (const s of SUBCOMMANDS) {
      for (const example of s.example.split(' · ')) {
        expect(example.startsWith('/async ')).toBe(true);
        const text = example.slice('/async '.length).replace('#general', '<#C0123ABCD|general>');
        const parsed = parseAsyncCommand(text);
        expect(parsed.kind).not.toBe('invalid');
        expect(parsed).not.toHaveProperty('unknown');
        expect(parsed.kind).toBe(names(s.usage));
      }
    }
  });
});

/** The default charter: Mon–Fri, 09:00–17:00, focus on Wednesdays, daily block 09:00–11:00. */
const charter = makeCharter();

type Row = [name: string, tz: string, now: string, until: FocusUntil, expected: string | { problem: RegExp }];
const run = ([, tz, now, until, expected]: Row, c = charter) => {
  const r = focusEnd(until, ms(now), tz, c);
  if (typeof expected === 'string') {
    expect(r).toEqual({ ok: true, end: ms(expected) });
    if (r.ok) expect(local(r.end, tz)).toBe(expected);
  } else {
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(expected.problem);
  }
};

describe('focusEnd: until a wall time, in the caller tz', () => {
  it.each<Row>([
    // America/New_York: spring forward 2026-03-08 02:00 → 03:00; fall back 2026-11-01 02:00 → 01:00.
    ['NY: later today', NY, '2026-11-23T09:00:00-05:00', at(11, 0), '2026-11-23T11:00:00-05:00'],
    ['NY: passed today → tomorrow (21 h away)', NY, '2026-11-23T14:00:00-05:00', at(11, 0), '2026-11-24T11:00:00-05:00'],
    ['NY: tomorrow 10:00 said just after midnight is 33 h 30 min away → refused', NY, '2026-11-23T00:30:00-05:00', at(10, 0, 'tomorrow'), { problem: /^Tomorrow 10:00 is 33 h 30 min from now; focus can last at most 24 hours\.$/ }],
    ['NY: exactly now is not "after now" → tomorrow, 24 h away (allowed)', NY, '2026-11-23T09:00:00-05:00', at(9, 0), '2026-11-24T09:00:00-05:00'],
    ['NY: past midnight → tomorrow', NY, '2026-11-23T23:00:00-05:00', at(1, 30), '2026-11-24T01:30:00-05:00'],
    ['NY: 3pm', NY, '2026-11-23T13:10:00-05:00', at(15, 0), '2026-11-23T15:00:00-05:00'],
    ['NY: at 02:30 on spring-forward night (gap) → 03:30 EDT', NY, '2026-03-08T01:00:00-05:00', at(2, 30), '2026-03-08T03:30:00-04:00'],
    ['NY: at 02:30 the evening before spring-forward → the gap → 03:30 EDT', NY, '2026-03-07T23:00:00-05:00', at(2, 30), '2026-03-08T03:30:00-04:00'],
    ['NY: at 02:30 after the moved time passed → tomorrow 02:30 (22 h 50 min)', NY, '2026-03-08T03:40:00-04:00', at(2, 30), '2026-03-09T02:30:00-04:00'],
    ['NY: at 01:30 before the first 01:30 of fall-back night → first one', NY, '2026-11-01T01:15:00-04:00', at(1, 30), '2026-11-01T01:30:00-04:00'],
    ['NY: at 01:30 between the two 01:30s → the second (EST)', NY, '2026-11-01T01:45:00-04:00', at(1, 30), '2026-11-01T01:30:00-05:00'],
    ['NY: at 01:30 after both → tomorrow 01:30', NY, '2026-11-01T01:45:00-05:00', at(1, 30), '2026-11-02T01:30:00-05:00'],
    ['NY: tomorrow 10:00 across fall-back is 10:00 EST (12 h exactly: allowed)', NY, '2026-10-31T23:00:00-04:00', at(10, 0, 'tomorrow'), '2026-11-01T10:00:00-05:00'],
    ['NY: tomorrow 10:00 across fall-back from 22:30 (12.5 h)', NY, '2026-10-31T22:30:00-04:00', at(10, 0, 'tomorrow'), '2026-11-01T10:00:00-05:00'],
    ['NY: tomorrow 08:00 across spring-forward', NY, '2026-03-07T22:00:00-05:00', at(8, 0, 'tomorrow'), '2026-03-08T08:00:00-04:00'],
    ['NY: tomorrow 01:30 on fall-back night → the first 01:30', NY, '2026-10-31T20:00:00-04:00', at(1, 30, 'tomorrow'), '2026-11-01T01:30:00-04:00'],
    ['NY: tomorrow even when the time is still ahead today', NY, '2026-11-23T20:00:00-05:00', at(21, 0, 'tomorrow'), { problem: /^Tomorrow 21:00 is 25 h from now/ }],
    // Europe/Berlin: spring forward 2026-03-29 02:00 → 03:00; fall back 2026-10-25 03:00 → 02:00.
    ['Berlin: later today', BERLIN, '2026-06-10T08:00:00+02:00', at(11, 0), '2026-06-10T11:00:00+02:00'],
    ['Berlin: at 02:30 on spring-forward night → 03:30 CEST', BERLIN, '2026-03-29T01:00:00+01:00', at(2, 30), '2026-03-29T03:30:00+02:00'],
    ['Berlin: at 02:30 between the two 02:30s → the second (CET)', BERLIN, '2026-10-25T02:45:00+02:00', at(2, 30), '2026-10-25T02:30:00+01:00'],
    ['Berlin: tomorrow 10:00 across fall-back is 10:00 CET', BERLIN, '2026-10-24T23:00:00+02:00', at(10, 0, 'tomorrow'), '2026-10-25T10:00:00+01:00'],
    ['Berlin: tomorrow 07:00 across spring-forward', BERLIN, '2026-03-28T22:00:00+01:00', at(7, 0, 'tomorrow'), '2026-03-29T07:00:00+02:00'],
    // Australia/Sydney: DST ends 2026-04-05 03:00 → 02:00; starts 2026-10-04 02:00 → 03:00.
    ['Sydney: later today', SYDNEY, '2026-07-01T09:00:00+10:00', at(17, 30), '2026-07-01T17:30:00+10:00'],
    ['Sydney: at 02:30 between the two 02:30s (April) → the second (AEST)', SYDNEY, '2026-04-05T02:45:00+11:00', at(2, 30), '2026-04-05T02:30:00+10:00'],
    ['Sydney: at 02:30 on spring-forward night (October) → 03:30 AEDT', SYDNEY, '2026-10-04T01:00:00+10:00', at(2, 30), '2026-10-04T03:30:00+11:00'],
    ['Sydney: tomorrow 10:00 across spring-forward', SYDNEY, '2026-10-03T22:00:00+10:00', at(10, 0, 'tomorrow'), '2026-10-04T10:00:00+11:00'],
    ['Sydney: tomorrow 10:00 across fall-back', SYDNEY, '2026-04-04T23:00:00+11:00', at(10, 0, 'tomorrow'), '2026-04-05T10:00:00+10:00'],
    // America/Santiago (southern DST, changes at local midnight): ends 2026-04-04 24:00 → 23:00; starts 2026-09-05 24:00 → 09-06 01:00.
    ['Santiago: at 00:30 on the night midnight is skipped → 01:30 -03', SANTIAGO, '2026-09-05T22:00:00-04:00', at(0, 30), '2026-09-06T01:30:00-03:00'],
    ['Santiago: tomorrow 10:00 across spring-forward', SANTIAGO, '2026-09-05T23:00:00-04:00', at(10, 0, 'tomorrow'), '2026-09-06T10:00:00-03:00'],
    ['Santiago: at 23:30 between the two 23:30s → the second (-04)', SANTIAGO, '2026-04-04T23:45:00-03:00', at(23, 30), '2026-04-04T23:30:00-04:00'],
    ['Santiago: tomorrow 10:00 from the second pass of 23:30 is 10:00 -04', SANTIAGO, '2026-04-04T23:30:00-04:00', at(10, 0, 'tomorrow'), '2026-04-05T10:00:00-04:00'],
    ['Santiago: tomorrow 10:00 from the first pass of 22:30 is 10:00 local after the fall-back', SANTIAGO, '2026-04-04T22:30:00-03:00', at(10, 0, 'tomorrow'), '2026-04-05T10:00:00-04:00'],
    // Asia/Kolkata: +05:30, no DST.
    ['Kolkata: later today', KOLKATA, '2026-03-08T09:15:00+05:30', at(11, 0), '2026-03-08T11:00:00+05:30'],
    ['Kolkata: past → tomorrow within 12 h', KOLKATA, '2026-03-08T22:00:00+05:30', at(5, 0), '2026-03-09T05:00:00+05:30'],
    ['Kolkata: past → tomorrow, 23 h 30 min away', KOLKATA, '2026-03-08T18:00:00+05:30', at(17, 30), '2026-03-09T17:30:00+05:30'],
  ])('%s', (...row) => run(row));
});

describe('focusEnd: for a duration (elapsed time, not wall clock)', () => {
  it.each<Row>([
    ['NY: for 120 across fall-back is 7.2e6 ms (01:30 EST, not 02:30)', NY, '2026-11-01T00:30:00-04:00', forMin(120), '2026-11-01T01:30:00-05:00'],
    ['NY: for 120 across spring-forward (04:30 EDT)', NY, '2026-03-08T01:30:00-05:00', forMin(120), '2026-03-08T04:30:00-04:00'],
    ['Berlin: for 120 across fall-back', BERLIN, '2026-10-25T01:30:00+02:00', forMin(120), '2026-10-25T02:30:00+01:00'],
    ['Sydney: for 120 across spring-forward', SYDNEY, '2026-10-04T01:30:00+10:00', forMin(120), '2026-10-04T04:30:00+11:00'],
    ['Santiago: for 120 across fall-back at midnight', SANTIAGO, '2026-04-04T23:00:00-03:00', forMin(120), '2026-04-05T00:00:00-04:00'],
    ['Kolkata: for 90', KOLKATA, '2026-03-08T09:15:00+05:30', forMin(90), '2026-03-08T10:45:00+05:30'],
    ['for 24 h exactly is allowed', KOLKATA, '2026-03-08T09:00:00+05:30', forMin(FOCUS_MAX_MINUTES), '2026-03-09T09:00:00+05:30'],
    ['for more than 12 h → refused', NY, '2026-03-08T09:00:00-04:00', forMin(FOCUS_MAX_MINUTES + 1), { problem: /at most 24 hours; that is 24 h 1 min/ }],
    ['for 0 → refused', NY, '2026-03-08T09:00:00-04:00', forMin(0), { problem: /at least 1 minute/ }],
    ['for a negative length → refused', NY, '2026-03-08T09:00:00-04:00', forMin(-30), { problem: /at least 1 minute/ }],
  ])('%s', (...row) => run(row));

  it('for 120 across each DST change is exactly 7.2e6 ms', () => {
    for (const now of ['2026-11-01T00:30:00-04:00', '2026-03-08T01:30:00-05:00', '2026-10-25T01:30:00+02:00', '2026-04-04T23:00:00-03:00', '2026-09-05T23:30:00-04:00']) {
      const r = focusEnd(forMin(120), ms(now), NY, charter);
      expect(r).toEqual({ ok: true, end: ms(now) + 7.2e6 });
    }
  });

  it('a "for" end does not need a valid tz; an "at" or default end does', () => {
    expect(focusEnd(forMin(30), 0, 'Not/AZone', charter)).toEqual({ ok: true, end: 30 * MIN });
    expect(focusEnd(at(11, 0), 0, 'Not/AZone', charter)).toEqual({ ok: false, problem: expect.stringContaining('Not/AZone') });
    expect(focusEnd({ kind: 'default' }, 0, 'Not/AZone', charter).ok).toBe(false);
  });

  it('refuses a wall time that is not a time of day, and a now that is not an instant', () => {
    expect(focusEnd(at(24, 0), 0, NY, charter)).toEqual({ ok: false, problem: 'That is not a time of day.' });
    expect(focusEnd(at(10, 60), 0, NY, charter).ok).toBe(false);
    expect(focusEnd(at(10.5, 0), 0, NY, charter).ok).toBe(false);
    expect(focusEnd(forMin(30), Number.NaN, NY, charter).ok).toBe(false);
  });
});

describe('focusEnd: the default (charter focus block, focus day, else 2 h)', () => {
  it.each<Row>([
    // 2026-11-23 is a Monday, 2026-11-25 a Wednesday, 2026-11-28 a Saturday.
    ['inside the daily block on a workday → its end', NY, '2026-11-23T10:00:00-05:00', { kind: 'default' }, '2026-11-23T11:00:00-05:00'],
    ['at the block start → its end', NY, '2026-11-23T09:00:00-05:00', { kind: 'default' }, '2026-11-23T11:00:00-05:00'],
    ['at the block end (excluded), Monday → 2 h', NY, '2026-11-23T11:00:00-05:00', { kind: 'default' }, '2026-11-23T13:00:00-05:00'],
    ['Monday afternoon (not a focus day) → 2 h', NY, '2026-11-23T14:00:00-05:00', { kind: 'default' }, '2026-11-23T16:00:00-05:00'],
    ['Wednesday in the block → block end', NY, '2026-11-25T09:30:00-05:00', { kind: 'default' }, '2026-11-25T11:00:00-05:00'],
    ['Wednesday after the block, in working hours → end of working hours', NY, '2026-11-25T11:30:00-05:00', { kind: 'default' }, '2026-11-25T17:00:00-05:00'],
    ['Wednesday before working hours → 2 h', NY, '2026-11-25T07:00:00-05:00', { kind: 'default' }, '2026-11-25T09:00:00-05:00'],
    ['Wednesday at 17:00 (end excluded) → 2 h', NY, '2026-11-25T17:00:00-05:00', { kind: 'default' }, '2026-11-25T19:00:00-05:00'],
    ['Saturday morning (not a workday) → 2 h', NY, '2026-11-28T10:00:00-05:00', { kind: 'default' }, '2026-11-28T12:00:00-05:00'],
    ['Berlin: block in the caller\'s local time', BERLIN, '2026-11-23T09:15:00+01:00', { kind: 'default' }, '2026-11-23T11:00:00+01:00'],
    ['Sydney: Wednesday afternoon', SYDNEY, '2026-11-25T13:00:00+11:00', { kind: 'default' }, '2026-11-25T17:00:00+11:00'],
    ['Kolkata: block', KOLKATA, '2026-11-25T10:59:00+05:30', { kind: 'default' }, '2026-11-25T11:00:00+05:30'],
    ['Santiago: Monday evening → 2 h', SANTIAGO, '2026-11-23T20:00:00-03:00', { kind: 'default' }, '2026-11-23T22:00:00-03:00'],
    ['NY: 2 h across fall-back is elapsed time', NY, '2026-11-01T00:30:00-04:00', { kind: 'default' }, '2026-11-01T01:30:00-05:00'],
  ])('%s', (...row) => run(row));

  it('takes the caller local weekday, not the UTC one (Wednesday 23:30 in NY is Thursday in UTC)', () => {
    const c = makeCharter({ working_hours: { start: '06:00', end: '23:59' } });
    run(['', NY, '2026-11-25T23:30:00-05:00', { kind: 'default' }, '2026-11-25T23:59:00-05:00'], c);
  });

  it('on a focus day with working hours until 24:00 → the next local midnight', () => {
    run(['', NY, '2026-11-25T20:00:00-05:00', { kind: 'default' }, '2026-11-26T00:00:00-05:00'], makeCharter({ working_hours: { start: '12:00', end: '24:00' } }));
    // A daily block until 24:00, on a Monday.
    run(['', BERLIN, '2026-11-23T22:30:00+01:00', { kind: 'default' }, '2026-11-24T00:00:00+01:00'], makeCharter({ working_hours: { start: '12:00', end: '24:00' }, focus: { daily: { start: '22:00', end: '24:00' } } }));
  });

  it('with no daily block, on a workday that is not a focus day → 2 h', () => {
    run(['', NY, '2026-11-23T10:00:00-05:00', { kind: 'default' }, '2026-11-23T12:00:00-05:00'], makeCharter({ focus: { daily: null } }));
  });

  it('a focus day that is not a workday is not within working hours → 2 h', () => {
    run(['', NY, '2026-11-28T12:00:00-05:00', { kind: 'default' }, '2026-11-28T14:00:00-05:00'], makeCharter({ focus: { days: ['sat'] } }));
  });

  it('cuts a default longer than 12 h to 12 h instead of refusing', () => {
    const c = makeCharter({ working_hours: { start: '06:00', end: '22:00' } });
    run(['', NY, '2026-11-25T07:00:00-05:00', { kind: 'default' }, '2026-11-25T19:00:00-05:00'], c);
  });

  it('a daily block across a fall-back night ends at its local end time', () => {
    const c = makeCharter({ workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], focus: { daily: { start: '00:00', end: '03:00' } } });
    const r = focusEnd({ kind: 'default' }, ms('2026-11-01T00:30:00-04:00'), NY, c);
    expect(r).toEqual({ ok: true, end: ms('2026-11-01T03:00:00-05:00') });
    if (r.ok) expect(r.end - ms('2026-11-01T00:30:00-04:00')).toBe(3.5 * HOUR);
  });
});

describe('wallTimeInstants', () => {
  it.each([
    ['an ordinary time: one instant', NY, { year: 2026, month: 6, day: 1 }, 10, 0, ['2026-06-01T10:00:00-04:00']],
    ['a repeated time: both, earlier first', NY, { year: 2026, month: 11, day: 1 }, 1, 30, ['2026-11-01T01:30:00-04:00', '2026-11-01T01:30:00-05:00']],
    ['a time in the gap: moved forward by the gap', NY, { year: 2026, month: 3, day: 8 }, 2, 30, ['2026-03-08T03:30:00-04:00']],
    ['Santiago midnight skipped', SANTIAGO, { year: 2026, month: 9, day: 6 }, 0, 0, ['2026-09-06T01:00:00-03:00']],
    ['Santiago 23:30 repeated', SANTIAGO, { year: 2026, month: 4, day: 4 }, 23, 30, ['2026-04-04T23:30:00-03:00', '2026-04-04T23:30:00-04:00']],
  ])('%s', (_name, tz, date, hour, minute, expected) => {
    expect(wallTimeInstants(date, hour, minute, tz).map((t) => local(t, tz))).toEqual(expected);
  });

  it('remembers offsets per zone: one wall time asked in zones in turn, twice, gives each zone its own instants (every one showing that wall time)', () => {
    const zones = [NY, SANTIAGO, 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'];
    const dates = Array.from({ length: 400 }, (_, i) => DateTime.fromObject({ year: 2026, month: 1, day: 1 }, { zone: 'UTC' }).plus({ days: i }));
    const ask = (order: readonly string[]) => {
      const out = new Map<string, number[]>();
      for (const d of dates) for (const tz of order) out.set(`${tz} ${d.toISODate()}`, wallTimeInstants({ year: d.year, month: d.month, day: d.day }, 9, 0, tz));
      return out;
    };
    const first = ask(zones);
    expect(ask([...zones].reverse())).toEqual(first);
    for (const [key, instants] of first) {
      const tz = key.split(' ')[0] as string;
      for (const t of instants) {
        const l = DateTime.fromMillis(t, { zone: tz });
        expect([key, l.toISODate(), l.hour, l.minute]).toEqual([key, key.split(' ')[1], 9, 0]);
      }
    }
  });
});

describe('properties', () => {
  const zone = fc.constantFrom(...ZONES);
  const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31, 23, 59, 59, 999) });
  const hour = fc.integer({ min: 0, max: 23 });
  const minute = fc.integer({ min: 0, max: 59 });
  const day = fc.constantFrom('today-or-next' as const, 'tomorrow' as const);
  const runs = { numRuns: 2000 };

  /** Whether the local wall time date hour:minute does not exist in tz (a DST gap). */
  const inGap = (tz: string, d: DateTime, h: number, m: number): boolean => {
    const x = DateTime.fromObject({ year: d.year, month: d.month, day: d.day, hour: h, minute: m }, { zone: tz });
    return x.hour !== h || x.minute !== m;
  };

  it("'at' ends within (now, now + 25 h] (tomorrow: (now, now + 49 h]), on the requested wall time unless it is in a gap; focusEnd agrees or refuses beyond 12 h", () => {
    fc.assert(
      fc.property(zone, instant, hour, minute, day, (tz, now, h, m, d) => {
        const until = { kind: 'at' as const, hour: h, minute: m, day: d };
        const end = wallTimeEnd(until, now, tz);
        expect(end).toBeGreaterThan(now);
        expect(end).toBeLessThanOrEqual(now + (d === 'tomorrow' ? 49 : 25) * HOUR);
        const l = DateTime.fromMillis(end, { zone: tz });
        if (l.hour !== h || l.minute !== m) {
          expect(inGap(tz, l, h, m)).toBe(true);
          expect(end).toBe(DateTime.fromObject({ year: l.year, month: l.month, day: l.day, hour: h, minute: m }, { zone: tz }).toMillis());
        } else {
          expect(l.second * 1000 + l.millisecond).toBe(0);
        }
        const nowDate = DateTime.fromMillis(now, { zone: tz }).startOf('day');
        const days = Math.round(l.startOf('day').diff(nowDate, 'days').days);
        if (d === 'tomorrow') expect(days).toBe(1);
        else expect([0, 1]).toContain(days);
        const r = focusEnd(until, now, tz, charter);
        if (end - now <= FOCUS_MAX_MINUTES * MIN) expect(r).toEqual({ ok: true, end });
        else expect(r.ok).toBe(false);
      }),
      runs,
    );
  });

  it("'at' today-or-next is the next occurrence: no earlier instant after now shows that wall time", () => {
    fc.assert(
      fc.property(zone, instant, hour, minute, (tz, now, h, m) => {
        const end = wallTimeEnd({ kind: 'at', hour: h, minute: m, day: 'today-or-next' }, now, tz);
        // Every occurrence of h:m on today's or tomorrow's local date that is after now is not before end.
        for (const k of [0, 1]) {
          const date = DateTime.fromMillis(now, { zone: tz }).plus({ days: k });
          for (const t of wallTimeInstants({ year: date.year, month: date.month, day: date.day }, h, m, tz)) if (t > now) expect(t).toBeGreaterThanOrEqual(end);
        }
        // And a minute-by-minute scan of the last hour before end never meets h:m after now.
        for (let t = Math.ceil(Math.max(now + 1, end - HOUR) / MIN) * MIN; t < end; t += MIN) {
          const l = DateTime.fromMillis(t, { zone: tz });
          if (l.hour === h && l.minute === m) throw new Error(`earlier occurrence at ${local(t, tz)}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("'for' is exact elapsed time, in any zone, across any DST change", () => {
    fc.assert(
      fc.property(zone, instant, fc.integer({ min: 1, max: FOCUS_MAX_MINUTES }), (tz, now, minutes) => {
        expect(focusEnd(forMin(minutes), now, tz, charter)).toEqual({ ok: true, end: now + minutes * MIN });
      }),
      runs,
    );
  });

  it("'default' always answers, after now and at most 12 h later", () => {
    const charters = [
      charter,
      makeCharter({ focus: { daily: null, days: [] } }),
      makeCharter({ working_hours: { start: '00:00', end: '23:59' }, workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], focus: { days: ['sat', 'sun', 'wed'], daily: { start: '00:30', end: '02:30' } } }),
      makeCharter({ focus: { daily: { start: '23:00', end: '23:59' } } }),
    ];
    fc.assert(
      fc.property(zone, instant, fc.constantFrom(...charters), (tz, now, c) => {
        const r = focusEnd({ kind: 'default' }, now, tz, c);
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.end).toBeGreaterThan(now);
          expect(r.end).toBeLessThanOrEqual(now + FOCUS_MAX_MINUTES * MIN);
        }
      }),
      runs,
    );
  });

  const KINDS = new Set(['help', 'charter', 'stats', 'memo', 'decision', 'focus', 'focus-off', 'snooze', 'digest', 'pilot', 'config', 'forget-me', 'invalid']);
  const wellFormed = (c: AsyncCommand) => {
    expect(KINDS.has(c.kind)).toBe(true);
    if (c.kind === 'invalid') {
      expect(c.problem).toMatch(/\S/);
      expect(c.example.startsWith('/async ')).toBe(true);
    }
    if (c.kind === 'focus' && c.until.kind === 'for') expect(c.until.minutes >= 1 && c.until.minutes <= FOCUS_MAX_MINUTES && Number.isInteger(c.until.minutes)).toBe(true);
    if (c.kind === 'focus' && c.until.kind === 'at') expect(c.until.hour >= 0 && c.until.hour <= 23 && c.until.minute >= 0 && c.until.minute <= 59).toBe(true);
    if (c.kind === 'snooze') expect(Number.isInteger(c.days) && c.days >= 0 && c.days <= SNOOZE_MAX_DAYS).toBe(true);
    if (c.kind === 'decision') expect(c.text.length > 0 && [...c.text].length <= DECISION_MAX_CHARS).toBe(true);
    if (c.kind === 'help' && c.unknown !== undefined) expect([...c.unknown].length).toBeLessThanOrEqual(40);
  };

  it('parseAsyncCommand never throws, on any string, and answers with a well-formed command', () => {
    const sub = fc.constantFrom('', 'help', 'charter', 'stats', 'memo', 'decision', 'focus', 'snooze', 'digest', 'pilot', 'config', 'forget-me', 'forget', 'FOCUS', 'Snooze');
    const tail = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[0-9:.,hmap -]{0,12}$/));
    for (const text of [fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.tuple(sub, fc.constantFrom(' ', '  ', '\n', '\u00a0'), tail).map((p) => p.join(''))]) {
      fc.assert(
        fc.property(text, (t) => wellFormed(parseAsyncCommand(t))),
        { numRuns: 1000 },
      );
    }
  });

  it('decision text survives Slack escaping: encode, parse, get the trimmed text back', () => {
    const encode = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (t) => {
        const r = parseAsyncCommand(`decision ${encode(t)}`);
        if (t.trim() === '') expect(r.kind).toBe('invalid');
        else expect(r).toEqual({ kind: 'decision', text: t.trim() });
      }),
      { numRuns: 1000 },
    );
  });

  it('focus durations and times round-trip; snooze accepts exactly 0..90', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: FOCUS_MAX_MINUTES }), (m) => {
        expect(parseAsyncCommand(`focus ${m}m`)).toEqual(focus(forMin(m)));
        const hm = `${Math.floor(m / 60)}h${m % 60}m`;
        expect(parseAsyncCommand(`focus ${hm}`)).toEqual(focus(forMin(m)));
      }),
    );
    fc.assert(
      fc.property(hour, minute, (h, m) => {
        const hh = String(h).padStart(2, '0');
        const mm = String(m).padStart(2, '0');
        expect(parseAsyncCommand(`focus ${hh}:${mm}`)).toEqual(focus(at(h, m)));
        expect(parseAsyncCommand(`focus tomorrow ${h}:${mm}`)).toEqual(focus(at(h, m, 'tomorrow')));
        const h12 = h % 12 === 0 ? 12 : h % 12;
        expect(parseAsyncCommand(`focus ${h12}:${mm}${h < 12 ? 'am' : 'pm'}`)).toEqual(focus(at(h, m)));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
        const r = parseAsyncCommand(`snooze ${n}`);
        if (n >= 0 && n <= SNOOZE_MAX_DAYS) expect(r).toEqual({ kind: 'snooze', days: n });
        else expect(r.kind).toBe('invalid');
      }),
    );
  });
});
