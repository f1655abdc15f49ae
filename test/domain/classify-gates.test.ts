import fc from 'fast-check';
import { loadCorpus } from '../../bench/corpus';
import { CUES } from '../../src/domain/classify-cues';
import { warmClassifier } from '../../src/domain/classify';
import { anyOf, GATED, prepare } from '../../src/domain/classify-rules';

/**
 * The classifier skips a list of patterns when one joined test (anyOf) finds none of them, and
 * skips a markup step when its text cannot be there. Both must give exactly what running every
 * pattern and every step gives.
 */

const groups: Array<[string, readonly RegExp[]]> = [...Object.entries(GATED), ['cues', CUES.map(([, re]) => re)]];
const matchesOne = (list: readonly RegExp[], text: string) =>
  list.some((re) => {
    re.lastIndex = 0;
    return re.test(text);
  });

// Words the patterns are made of, so that random texts hit them often, plus markup and odd characters.
const words = [...new Set(groups.flatMap(([, list]) => list.flatMap((re) => re.source.match(/[a-z0-9':-]{2,}/g) ?? [])))];
const piece = fc.oneof(fc.constantFrom(...words), fc.constantFrom('?', '!', '.', ',', '@someone', 'url_given', '\n', '  ', '1:1', '10', 'the', 'a'), fc.string({ maxLength: 4 }));
const text = fc.array(piece, { maxLength: 14 }).map((xs) => xs.join(' '));

describe('anyOf: one test for a list of patterns', () => {
  it.each(groups)('%s: the joined test matches exactly when one of the patterns does (corpus and random texts)', (_name, list) => {
    const gate = anyOf(list);
    for (const raw of loadCorpus().map((x) => x.text)) {
      const t = prepare(raw).text;
      expect([t, gate.test(t)]).toEqual([t, matchesOne(list, t)]);
    }
    fc.assert(
      fc.property(text, (t) => gate.test(t) === matchesOne(list, t)),
      { numRuns: 3000, seed: 4242 },
    );
  });

  it('refuses patterns it would read otherwise: mixed flags, backreferences', () => {
    expect(() => anyOf([/a/u, /b/])).toThrow(/different flags/);
    expect(() => anyOf([/(a)\1/, /b/])).toThrow(/backreference/);
    expect(() => anyOf([/(?<x>a)\k<x>/])).toThrow(/backreference/);
    expect(anyOf([/a/g, /b/]).test('xb')).toBe(true);
  });
});

describe('prepare: each markup step still runs when its text is there', () => {
  it.each([
    ['carriage returns', 'call\r\nnow', 'call now', []],
    ['a code block', '```\nx()\n``` ok', 'ok', ['code_block_ignored']],
    ['a code span', 'run `make` please', 'run codespan please', []],
    ['a quote', '> quoted\nmine', 'mine', ['quote_ignored']],
    ['an escaped quote', '&gt; quoted\nmine', 'mine', ['quote_ignored']],
    ['a mention', '<@U0ABC|ann> hi', '@someone hi', []],
    ['a channel', '<#C0ABC|design> hi', '#design hi', []],
    ['a broadcast', '<!here> hi', '@here hi', []],
    ['a bare link', 'see https://example.com/x', 'see url_given', []],
    ['a phone emoji', ':telephone_receiver: now?', 'call now?', []],
    ['a phone emoji, as a character', '📞 now?', 'call now?', []],
    ['entities', 'a &amp; b &lt;c&gt;', 'a & b <c>', []],
    ['curly quotes', 'it’s “fine”', 'it\'s "fine"', []],
    ['a typo', 'qucik mtg tmrw', 'quick meeting tomorrow', []],
  ])('%s', (_name, raw, expected, signals) => {
    const p = prepare(raw);
    expect(p.text).toBe(expected);
    expect(p.signals).toEqual(signals);
  });
});

describe('warmClassifier', () => {
  it('takes texts down every label path, so that each set of patterns is compiled before the first message', () => {
    const seen = warmClassifier();
    expect(seen.meeting_request).toBeGreaterThan(0);
    expect(seen.where_is).toBeGreaterThan(0);
    expect(seen.question).toBeGreaterThan(0);
  });
});
