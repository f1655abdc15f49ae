import { parseAsOf, UsageError } from '../../src/cli/common';

/** --as-of (SPEC §6, §7): ISO-8601 with a zone, compared at millisecond precision; anything else is a usage error. */
describe('--as-of', () => {
  it.each([
    ['2026-11-23T09:00:00Z', '2026-11-23T09:00:00.000Z'],
    ['2026-11-23T10:15:00.5+01:00', '2026-11-23T09:15:00.500Z'],
    ['2026-11-23T10:15+0100', '2026-11-23T09:15:00.000Z'],
    ['2026-11-23T09:00:00.123456Z', '2026-11-23T09:00:00.123Z'],
    ['2026-11-23', '2026-11-23T00:00:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2026-11-30T24:00Z', '2026-12-01T00:00:00.000Z'],
  ])('%s is %s', (value, iso) => {
    expect(parseAsOf(value)?.toISOString()).toBe(iso);
  });

  it.each([
    ['yesterday', /not an ISO-8601 instant/],
    ['2026-11-23T09:00', /not an ISO-8601 instant/],
    ['2026-11-23T09:00:00+25:00', /not an ISO-8601 instant/],
    ['2026-02-30T00:00:00Z', /not a date and time of the calendar/],
    ['2026-11-31T00:00:00Z', /not a date and time of the calendar/],
    ['2025-02-29', /not a date and time of the calendar/],
    ['2026-11-30T23:59:60Z', /not an ISO-8601 instant|not a date and time of the calendar/],
    ['2026-13-01T00:00:00Z', /not an ISO-8601 instant|not a date and time of the calendar/],
  ])('%s is refused', (value, message) => {
    expect(() => parseAsOf(value)).toThrow(UsageError);
    expect(() => parseAsOf(value)).toThrow(message);
  });

  it('absent is undefined', () => {
    expect(parseAsOf(undefined)).toBeUndefined();
  });
});
