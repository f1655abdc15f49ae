import fc from 'fast-check';
import { loadCorpus } from '../../bench/corpus';
import { classify, warmClassifier } from '../../src/domain/classify';
import { GATE, prepare } from '../../src/domain/classify-rules';
import literalTable from '../../src/domain/classify-literals.json';
import { LiteralGate, literalKey } from '../../src/domain/literal-gate';
import { classifyLiterals } from '../../scripts/classify-literals';
import { neededLiterals } from '../../scripts/regex-literals';

/**
 * The classifier skips a pattern when one scan of the text finds none of the strings each of its
 * matches must hold (literal-gate.ts), and skips a markup step when its text cannot be there.
 * Both must give exactly what running every pattern and every step gives.
 */

const sorted = (xs: string[] | null) => (xs === null ? null : [...xs].sort());

describe('neededLiterals: strings one of which every match holds', () => {
  it.each<[string, RegExp, string[] | null]>([
    ['a word', /\bcall\b/, ['call']],
    ['alternatives joined to what follows', /\b(can|could) we\b/, ['can we', 'could we']],
    ['an optional part, with and without it', /(a |the )?call/, ['a call', 'call', 'the call']],
    ['an optional letter', /colou?r/, ['color', 'colour']],
    ['a small class', /[- ]to\b/, [' to', '-to']],
    ['a gap: the longer side', /\bhi\b.{0,30}\bthere\b/, ['there']],
    ['digits: what stands beside them', /\d+ ?(am|pm)\b/, [' am', ' pm', 'am', 'pm']],
    ['each alternative its own', /\bzoom\b|\bhuddle\b/, ['huddle', 'zoom']],
    ['a lookahead takes no characters', /\bcall(?! me)/, ['call']],
    ['a repeated group needs it once', /(ab){2,3}c/, ['ab']],
    ['start and end', /^link\?$/, ['link?']],
    ['an astral character, with u', /📞/u, ['📞']],
    ['an astral character, without u (two code units)', /📞/, ['📞']],
    ['an alternative that needs nothing', /call|.+/, null],
    ['only a class too large', /[a-z]+/, null],
    ['only optional parts', /(call)?x?/, null],
    ['a negated class', /[^a]/, null],
    ['case-insensitive: nothing known', /call/i, null],
  ])('%s: %s', (_name, re, expected) => {
    expect(sorted(neededLiterals(re))).toEqual(sorted(expected));
  });
});

/** A gate over these patterns (its table derived here), and the patterns. */
function gateOf<T extends readonly RegExp[]>(res: T): [LiteralGate, T] {
  const gate = new LiteralGate(Object.fromEntries(res.map((re) => [literalKey(re), neededLiterals(re)])));
  return [gate, gate.add(res)];
}

describe('LiteralGate: one scan tells which patterns can match', () => {
  const [gate, [he, she, hers, word, emoji, open]] = gateOf([/he/, /she/, /\bhers\b/, /\b(cat|dog)s?\b/, /📞 now/u, /x*/] as const);

  it.each<[string, boolean, RegExp[]]>([
    ['ushers', false, [he, she, hers, open]],
    ['a dog here', false, [he, word, open]],
    ['', false, [open]],
    ['📞 now', false, [emoji, open]],
    ['é📞 nowé', false, [emoji, open]],
  ])('%j (padded %s) may match exactly %p', (text, padded, expected) => {
    const found = gate.scan(text, padded);
    expect(gate.patterns().filter((re) => found.may(re))).toEqual(expected);
  });

  it('lets a pattern its table does not know always run', () => {
    const g = new LiteralGate({});
    const [re] = g.add([/zebra/]);
    expect(g.scan('nothing like it').may(re)).toBe(true);
  });

  it('reads a padded text as if a space were either side', () => {
    const [g, [lead, trail]] = gateOf([/ go\b/, /\bgo /] as const);
    expect(g.scan('go').may(lead)).toBe(false);
    expect(g.scan('go', true).may(lead)).toBe(true);
    expect(g.scan('go', true).may(trail)).toBe(true);
  });

  it('refuses a pattern it was not given, and takes more patterns after a scan', () => {
    const [g, [a]] = gateOf([/apple/] as const);
    expect(g.scan('apple').may(a)).toBe(true);
    expect(() => g.scan('apple').may(/pear/)).toThrow(/was not added/);
    const [pear] = g.add([/pear/]);
    expect(g.scan('a pear').may(pear)).toBe(true); // not in its table: always runs
    expect(g.scan('a pear').may(a)).toBe(false);
  });
});

// Words the classifier's patterns are made of, so that random texts hit them often, plus markup and odd characters.
const patterns = GATE.patterns();
const words = [...new Set(patterns.flatMap((re) => re.source.match(/[a-z0-9':-]{2,}/g) ?? []))];
const piece = fc.oneof(fc.constantFrom(...words), fc.constantFrom('?', '!', '.', ',', '@someone', 'url_given', '\n', '  ', '1:1', '10', 'the', 'a', '~', '📞', ':phone:', '<@U0ABC>', '`x`', '> q\n'), fc.string({ maxLength: 4 }));
const text = fc.array(piece, { maxLength: 14 }).map((xs) => xs.join(' '));
const corpus = loadCorpus().map((x) => x.text);

const matches = (re: RegExp, t: string) => {
  re.lastIndex = 0;
  const hit = re.test(t);
  re.lastIndex = 0;
  return hit;
};

describe("the classifier's gate", () => {
  it('has the table of needed strings written for its patterns as they are (else: npm run literals:classify)', () => {
    expect(literalTable).toEqual(classifyLiterals());
  });

  it('never rules out a pattern that matches the text, or a part of it (corpus and random texts)', () => {
    const sound = (t: string) => {
      const found = GATE.scan(t);
      const padded = GATE.scan(t, true);
      const part = t.slice(1, -1);
      return patterns.every((re) => (!matches(re, t) || found.may(re)) && (!matches(re, ` ${t} `) || padded.may(re)) && (!matches(re, part) || found.may(re)));
    };
    for (const raw of corpus) {
      const t = prepare(raw).text;
      expect([t, sound(t)]).toEqual([t, true]);
    }
    fc.assert(fc.property(text, sound), { numRuns: 3000, seed: 4242 });
  });

  it('rules out most patterns for most texts (else it would save nothing)', () => {
    let ruledOut = 0;
    for (const raw of corpus) {
      const found = prepare(raw).candidates;
      ruledOut += patterns.filter((re) => !found.may(re)).length;
    }
    expect(ruledOut / (corpus.length * patterns.length)).toBeGreaterThan(0.8);
  });

  it('gives every label, score and signal that running every pattern gives (corpus and random texts)', () => {
    const both = (t: string) => {
      const gated = classify(t);
      GATE.runEverything(true);
      try {
        return { gated, every: classify(t) };
      } finally {
        GATE.runEverything(false);
      }
    };
    for (const t of corpus) {
      const { gated, every } = both(t);
      expect([t, gated]).toEqual([t, every]);
    }
    fc.assert(
      fc.property(text, (t) => {
        const { gated, every } = both(t);
        expect(gated).toEqual(every);
      }),
      { numRuns: 2000, seed: 4242 },
    );
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
    ['typos one after another (r u, then u)', 'r u free? u there', 'are you free? you there', []],
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
