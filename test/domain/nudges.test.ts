import { DateTime } from 'luxon';
import { makeCharter } from '../helpers/charter';
import { agendaWarning, asyncRule, describeWindow, earlyFollowupText, focusAt, followupLookbackMs, meetingNudgeText, offHoursText, parseNudgeRef, placeOf, youngEnoughToNudge } from '../../src/domain/nudges';

const charter = makeCharter;
const at = (iso: string, tz: string) => DateTime.fromISO(iso, { zone: tz }).toMillis();

describe('nudge wording and timing', () => {
  it.each([
    ['Europe/Berlin', 'Berlin'],
    ['America/Argentina/Buenos_Aires', 'Buenos Aires'],
    ['UTC', 'UTC'],
  ])('placeOf(%s) = %s', (tz, place) => expect(placeOf(tz)).toBe(place));

  it.each([
    [480, '1 working day'],
    [960, '2 working days'],
    [120, '2 working hours'],
    [60, '1 working hour'],
    [45, '45 working minutes'],
  ])('describeWindow(%i) = %s', (minutes, text) => expect(describeWindow(minutes, charter())).toBe(text));

  it('quotes the window of the channel, with its override and urgency', () => {
    const c = charter({ urgent_channels: ['C0URGENT1'], channel_overrides: { C0SUPPORT: { response_windows: { normal: { working_minutes: 120 } } } } });
    expect(asyncRule(c, 'C0OTHER1')).toBe('Our charter defaults to async: write it down first. A request here gets an answer within 1 working day.');
    expect(asyncRule(c, 'C0SUPPORT')).toBe('Our charter defaults to async: write it down first. A request here gets an answer within 2 working hours.');
    expect(asyncRule(c, 'C0URGENT1')).toContain('(60 minutes: this channel is urgent)');
  });

  it.each([
    ['a Wednesday is No-Meeting Wednesday', '2026-11-25T14:00', 'Today is No-Meeting Wednesday.'],
    ['09:30 on a Tuesday is in the daily focus block', '2026-11-24T09:30', "It's focus time (09:00–11:00)."],
    ['14:00 on a Tuesday is neither', '2026-11-24T14:00', null],
  ])('the meeting nudge says so: %s', (_name, local, phrase) => {
    const text = meetingNudgeText(charter(), 'C0GENERAL1', 'Europe/Berlin', at(local, 'Europe/Berlin'));
    if (phrase === null) expect(text).toBe('This looks like a meeting request. Our charter defaults to async: write it down first. A request here gets an answer within 1 working day. Could a thread or a short memo do it?');
    else expect(text).toContain(phrase);
  });

  it('focus time is local to the person', () => {
    const t = at('2026-11-25T08:30', 'UTC'); // Wednesday 08:30 UTC = Wednesday 19:30 in Sydney, Wednesday 03:30 in New York
    expect(focusAt(charter(), 'UTC', t)).toEqual({ day: 'Wednesday', block: null });
    expect(focusAt(charter({ focus: { days: [] } }), 'Asia/Kolkata', t)).toEqual({ day: null, block: null });
    expect(focusAt(charter({ focus: { days: [] } }), 'Europe/Berlin', t)).toEqual({ day: null, block: { start: '09:00', end: '11:00' } });
  });

  it('off-hours heads-up, as the issue words it', () => {
    const text = offHoursText({ name: 'Ana', tz: 'Europe/Berlin', at: at('2026-11-23T22:10', 'Europe/Berlin'), due: at('2026-11-24T10:00', 'Europe/Berlin'), urgentChannel: 'C0INCIDENT' });
    expect(text).toBe("Ana is off hours (22:10 in Berlin); expect a reply by Tue 10:00 Ana's time. Urgent? Use <#C0INCIDENT>.");
    expect(offHoursText({ name: 'Ana', tz: 'Europe/Berlin', at: 0, due: null, urgentChannel: null })).toBe('Ana is off hours (01:00 in Berlin); no reply is due under the charter.');
  });

  it('early follow-up note', () => {
    const now = at('2026-11-23T10:40', 'UTC');
    expect(earlyFollowupText({ name: 'Ben', tz: 'UTC', askedAt: now - 40 * 60_000, due: at('2026-11-24T10:00', 'UTC'), now })).toBe(
      "You already asked Ben here 40 minutes ago and that request is not yet due. It is due by Tue 10:00 Ben's time. A second ping before then rarely speeds things up.",
    );
  });

  it.each([
    ['3 days ahead on a Friday afternoon: fine', '2026-11-27T14:00', null],
    ['under 24 hours away', '2026-11-23T15:00', 'Heads-up: it is less than 24 hours away, so people cannot prepare.'],
    ['on No-Meeting Wednesday', '2026-11-25T14:00', 'Heads-up: it is on No-Meeting Wednesday.'],
    ['in the daily focus block', '2026-11-27T10:00', 'Heads-up: it is in the focus block (09:00–11:00).'],
    ['soon and on a focus day', '2026-11-24T10:30', 'Heads-up: it is less than 24 hours away, so people cannot prepare and it is in the focus block (09:00–11:00).'],
  ])('agenda warning: %s', (_name, local, warning) => {
    const now = at('2026-11-23T14:00', 'UTC');
    expect(agendaWarning(charter(), 'UTC', at(local, 'UTC'), now)).toBe(warning);
  });
});

describe('which arrivals may be nudged (SPEC §7: under 10 minutes old)', () => {
  const posted = Date.UTC(2026, 10, 24, 9, 0, 0);
  it.each([
    ['just posted', 0, true],
    ['9 minutes 59.999 seconds old', 599_999, true],
    ['exactly 10 minutes old', 600_000, false],
    ['11 minutes old', 660_000, false],
    ['posted a little after the app\'s clock (clock skew)', -2_000, true],
  ])('%s', (_name, age, expected) => {
    expect(youngEnoughToNudge(posted, posted + age)).toBe(expected);
  });
});

describe('nudge refs', () => {
  it('reads the ref a button value or private_metadata carries', () => {
    expect(parseNudgeRef('{"n":"42","c":"C0GENERAL1","ts":"1700000000.000100","x":1}')).toEqual({ n: '42', c: 'C0GENERAL1', ts: '1700000000.000100' });
  });

  it.each([undefined, '', 'null', '5', 'not json', '{"n":42,"c":"C1","ts":"1.1"}', '{"n":"42","c":"C1"}'])('is null for what is not ours: %p', (value) => {
    expect(parseNudgeRef(value)).toBeNull();
  });
});

describe('followupLookbackMs', () => {
  const DAY = 86_400_000;
  it.each([
    ['the defaults: 30 days', {}, 30 * DAY],
    ['a 30-working-day normal window: 7 weeks of calendar', { response_windows: { normal: { working_minutes: 14_400 } } }, 7 * 7 * DAY],
    ['the same over 3 workdays a week and 2 holidays', { workdays: ['mon', 'wed', 'fri'] as const, holidays: ['2026-12-24', '2026-12-25'], response_windows: { normal: { working_minutes: 14_400 } } }, 11 * 7 * DAY + 2 * DAY],
    ['an urgent window of 40 days: 41 days', { response_windows: { urgent: { minutes: 40 * 24 * 60 } } }, 41 * DAY],
  ])('%s', (_name, input, expected) => {
    expect(followupLookbackMs(makeCharter(input as never), 'C0ANY00001')).toBe(expected);
  });
});
