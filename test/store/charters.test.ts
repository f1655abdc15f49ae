import { defaultCharter } from '../../src/domain/charter';
import { charterFromText } from '../../src/store/charters';

describe('charterFromText (the nudges\' hot path)', () => {
  it('gives a workspace without a charter one shared, frozen default, equal to the defaults', () => {
    const a = charterFromText(null);
    const b = charterFromText(null);
    expect(a).toEqual({ charter: defaultCharter(), stored: false, problems: [] });
    // One object: the nudge service keeps each person's schedule per charter object.
    expect(b.charter).toBe(a.charter);
    expect(Object.isFrozen(a.charter)).toBe(true);
    expect(Object.isFrozen(a.charter.working_hours)).toBe(true);
    expect(() => {
      (a.charter.workdays as string[]).push('sat');
    }).toThrow(TypeError);
    expect(defaultCharter().workdays).toEqual(a.charter.workdays);
  });

  it('parses a stored text once: the same text gives the same object', () => {
    const text = JSON.stringify({ timezone: 'Europe/Berlin' });
    const a = charterFromText(text);
    expect(a.stored).toBe(true);
    expect(a.charter.timezone).toBe('Europe/Berlin');
    expect(charterFromText(text).charter).toBe(a.charter);
  });

  it('falls back to the defaults, saying why, for a text that no longer validates', () => {
    const r = charterFromText(JSON.stringify({ timezone: 'Mars/Olympus' }));
    expect(r.stored).toBe(true);
    expect(r.charter).toEqual(defaultCharter());
    expect(r.charter).toBe(charterFromText(null).charter);
    expect(r.problems.join('\n')).toMatch(/timezone/);
  });
});
