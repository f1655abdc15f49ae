import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, featurize, fingerprint, loadBlind, loadCorpus, trainLabel } from '../../bench/corpus';
import { classify, MEETING_THRESHOLD, WHERE_IS_THRESHOLD } from '../../src/domain/classify';
import { bucketOf, charGrams, featureNames, featuresOf, fnv1a, groupValues, readable, tokenize, wordGrams } from '../../src/domain/classify-features';
import { cuesOf } from '../../src/domain/classify-cues';
import { fromBase64, ModelFile, toBase64 } from '../../src/domain/classify-model';
import { classifyPrepared, prepare } from '../../src/domain/classify-rules';
import { crossValidate, dequantize, folds, logLoss, margin, pickThreshold, prAt, quantize, shuffled, sigmoid, trainLogistic, type Sparse } from '../../src/domain/classify-train';

const MODEL_PATH = join(__dirname, '..', '..', 'src', 'domain', 'classifier-model.json');

describe('feature extraction', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('fnv1a(%j) is the published FNV-1a 32-bit value', (s, h) => {
    expect(fnv1a(s)).toBe(h);
  });

  it('buckets are the low bits of the hash', () => {
    expect(bucketOf('foobar', 8)).toBe(0x68);
    expect(bucketOf('foobar', 16)).toBe(0xf968);
  });

  it.each([
    ['can we hop on a call?', ['can', 'we', 'hop', 'on', 'a', 'call', '?']],
    ["let's do a 1:1 at 3:30pm!", ["let's", 'do', 'a', '1:1', 'at', '0:0pm', '!']],
    ['ping @someone in #design-team, see url_given', ['ping', '@someone', 'in', '#design-team', 'see', 'url_given']],
    ['f2f tmrw 🙏 :pray:', ['f0f', 'tmrw', '🙏', ':pray:']],
    ['e-mail the sow/contract', ['e-mail', 'the', 'sow/contract']],
  ])('tokenize(%j)', (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });

  it('word grams: 1- to 3-grams with start and end marks', () => {
    expect(wordGrams(['hop', 'on']).sort()).toEqual(['w:<s> hop', 'w:<s> hop on', 'w:hop', 'w:hop on', 'w:hop on </s>', 'w:on', 'w:on </s>'].sort());
    expect(wordGrams([])).toEqual(['w:<s> </s>']);
  });

  it.each([
    ['call', ['c:<ca', 'c:cal', 'c:all', 'c:ll>', 'c:<cal', 'c:call', 'c:all>', 'c:<call', 'c:call>']],
    ['go', ['c:<go', 'c:go>', 'c:<go>']],
    ['a', []],
    ['?', []],
    ['0:0pm', []],
    ['@someone', []],
  ])('char grams of %j', (token, grams) => {
    expect(charGrams(token)).toEqual(grams);
  });

  it('the fast hashed path gives exactly the buckets and values of the named features', () => {
    for (const raw of ['can we hop on a quick call?', '<@U0ABC> where is the deck?', 'no need for a call, see the doc', '```\ncall()\n```\nok', 'is the signed contract saved anywhere? 🙏', '']) {
      const p = prepare(raw);
      const signals = classifyPrepared(p).signals;
      const fast = featuresOf(raw, p, signals, 18);
      const { words, chars, fixed } = featureNames(raw, p, signals);
      const g = groupValues(new Set(words.map((n) => bucketOf(n, 18))).size, new Set(chars.map((n) => bucketOf(n.split('\t')[0] as string, 18))).size);
      const expected = new Map<string, number>();
      const put = (names: string[], v: number, tag: string) => names.forEach((n) => expected.set(`${tag}${bucketOf(n.split('\t')[0] as string, 18)}`, v));
      put(words, g.word, 'w');
      put(chars, g.char, 'c');
      put(fixed, 1, 'f');
      const got = new Map<string, number>();
      fast.idx.forEach((b, i) => got.set(`${i < fast.words ? 'w' : i < fast.words + fast.chars ? 'c' : 'f'}${b}`, fast.val[i] as number));
      expect(got).toEqual(expected);
    }
  });

  it.each([
    ['w:hop on', 'ngram:"hop on"'],
    ['w:<s> call ?', 'ngram:"^ call ?"'],
    ['w:call </s>', 'ngram:"call $"'],
    ['c:<hud\thuddle', 'chars:"huddle"'],
    ['r:hop_on', 'rule:hop_on'],
    ['r:cue:screen_share', 'rule:cue:screen_share'],
    ['m:ends?', 'shape:ends?'],
  ])('readable(%j) = %j', (name, shown) => {
    expect(readable(name)).toBe(shown);
  });

  it.each([
    ['can you share your screen?', 'cue:screen_share'],
    ['mind sharing your screen so I can see?', 'cue:screen_share_ask'],
    ['could I borrow ten minutes of your time?', 'cue:time_ask'],
    ['can we take this thread to a huddle?', 'cue:to_sync_venue'],
    ['is the contract saved anywhere?', 'cue:saved_anywhere'],
    ['which folder has the invoices?', 'cue:which_container'],
    ['where did you put the slides?', 'cue:where_put'],
    ['how do i find the sprint board?', 'cue:how_find'],
    ['the api call to stripe fails', 'cue:other_sense'],
  ])('cue: %j shows %s', (text, cue) => {
    expect(cuesOf(prepare(text).text)).toContain(cue);
  });
});

describe('the optimizer and its helpers', () => {
  // Two features, the label is feature 0; feature 2 is noise on both sides. Separable.
  const x = (...idx: number[]): Sparse => ({ idx: Int32Array.from(idx), val: Float64Array.from(idx.map(() => 1)) });
  const xs = [x(0), x(0, 2), x(1), x(1, 2), x(0, 3), x(1, 3), x(0), x(1)];
  const ys = [1, 1, 0, 0, 1, 0, 1, 0];
  const o = { dim: 8, epochs: 30, rate: 0.5, l2: 0, seed: 7 };

  it('learns a tiny separable set: every example on the right side, loss falling with epochs', () => {
    const m = trainLogistic(xs, ys, o);
    xs.forEach((e, i) => expect(sigmoid(margin(m, e)) >= 0.5 ? 1 : 0).toBe(ys[i]));
    const early = logLoss(trainLogistic(xs, ys, { ...o, epochs: 2 }), xs, ys);
    const late = logLoss(m, xs, ys);
    expect(late).toBeLessThan(early);
    expect(late).toBeLessThan(0.1);
    expect(m.w[0]).toBeGreaterThan(0);
    expect(m.w[1]).toBeLessThan(0);
  });

  it('is deterministic: the same data and seed give the same weights, bit for bit', () => {
    expect(trainLogistic(xs, ys, o)).toEqual(trainLogistic(xs, ys, o));
    expect(shuffled(10, 3)).toEqual(shuffled(10, 3));
    expect([...shuffled(10, 3)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(shuffled(10, 3)).not.toEqual(shuffled(10, 4));
  });

  it('L2 keeps the weights smaller', () => {
    const free = trainLogistic(xs, ys, o);
    const tied = trainLogistic(xs, ys, { ...o, l2: 0.1 });
    expect(Math.abs(tied.w[0] as number)).toBeLessThan(Math.abs(free.w[0] as number));
  });

  it('sigmoid is stable at the extremes', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
  });

  it('folds are balanced and cover everything; cross-validation scores each example once', () => {
    const f = folds(11, 5, 1);
    const sizes = [0, 1, 2, 3, 4].map((k) => f.filter((v) => v === k).length);
    expect(sizes.sort()).toEqual([2, 2, 2, 2, 3]);
    const probs = crossValidate([...xs, ...xs], [...ys, ...ys], folds(16, 4, 1), 4, o);
    expect(probs.length).toBe(16);
    [...ys, ...ys].forEach((y, i) => expect((probs[i] as number) >= 0.5 ? 1 : 0).toBe(y));
  });

  it('precision, recall and the threshold with the best F1 at the precision floor', () => {
    const probs = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1];
    const labels = [1, 1, 0, 1, 1, 0, 0, 0];
    expect(prAt(probs, labels, 0.5)).toMatchObject({ tp: 3, fp: 1, fn: 1, precision: 0.75, recall: 0.75 });
    expect(pickThreshold(probs, labels, 0.7).threshold).toBeCloseTo(0.4, 5);
    expect(pickThreshold(probs, labels, 0.95)).toMatchObject({ precision: 1, recall: 0.5 });
    // Near-ties (within the slack) go to the higher threshold: F1 1.0 up to 0.5, 0.857 up to 0.8.
    const p2 = [0.9, 0.85, 0.8, 0.5, 0.45, 0.1];
    const y2 = [1, 1, 1, 1, 0, 0];
    expect(pickThreshold(p2, y2, 0.5, 0).threshold).toBeCloseTo(0.5, 5);
    expect(pickThreshold(p2, y2, 0.5, 0.15).threshold).toBeCloseTo(0.8, 5);
  });

  it('8-bit quantisation is within half a step of each weight', () => {
    const m = { w: Float64Array.from([0.5, -1.27, 0.001, 0, 1.27]), b: 0.3 };
    const q = quantize(m);
    expect(q.scale).toBeCloseTo(0.01, 10);
    const back = dequantize(q);
    m.w.forEach((w, i) => expect(Math.abs((back.w[i] as number) - w)).toBeLessThanOrEqual(q.scale / 2 + 1e-12));
    expect(back.b).toBe(0.3);
  });

  it('base64 round-trips and matches Node', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255, 256]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      expect([...fromBase64(toBase64(bytes))]).toEqual([...bytes]);
    }
  });
});

describe('the committed model', () => {
  const file = ModelFile.parse(JSON.parse(readFileSync(MODEL_PATH, 'utf8')));

  it('is small, well-formed and has its thresholds in force', () => {
    expect(statSync(MODEL_PATH).size).toBeLessThan(2 * 1024 * 1024);
    expect(file.labels.meeting_request.threshold).toBe(MEETING_THRESHOLD);
    expect(file.labels.where_is.threshold).toBe(WHERE_IS_THRESHOLD);
  });

  it('was trained on the corpus as it is now (run npm run train:classify after editing the data)', () => {
    const set = loadCorpus();
    expect(file.trained_on).toEqual({ messages: set.length, fingerprint: fingerprint(set) });
  });

  it('has the weights train:classify produces (deterministic), and its recorded cross-validation holds the bar', () => {
    const set = loadCorpus();
    const xs = featurize(set);
    for (const l of ['meeting_request', 'where_is'] as const) {
      const again = trainLabel(xs, set, l, file.options);
      expect(again.bias).toBeCloseTo(file.labels[l].bias, 6);
      const a = fromBase64(again.weights);
      const b = fromBase64(file.labels[l].weights);
      let same = 0;
      for (let i = 0; i < a.length; i += 1) if (a[i] === b[i]) same += 1;
      expect(same / a.length).toBeGreaterThan(0.999);
    }
    // Recomputed by npm run bench:classify; the thresholds were picked on it.
    const cv = file.cv as Record<string, { threshold: number; precision: number; recall: number }>;
    expect(cv.meeting_request?.threshold).toBe(MEETING_THRESHOLD);
    expect(cv.meeting_request?.precision).toBeGreaterThanOrEqual(0.92);
    expect(cv.meeting_request?.recall).toBeGreaterThanOrEqual(0.9);
    expect(cv.where_is?.precision).toBeGreaterThanOrEqual(0.92);
    expect(cv.where_is?.recall).toBeGreaterThanOrEqual(0.85);
  }, 180_000);

  it('explains a label with the features that weighed most, readable', () => {
    const c = classify('could we talk it through live on a screen share tomorrow?');
    expect(c.meeting_request).toBe(true);
    const why = c.signals.filter((s) => s.startsWith('meeting_request:'));
    expect(why.length).toBeGreaterThan(0);
    for (const s of why) expect(s).toMatch(/^meeting_request:(ngram:".+"|chars:".+"|rule:[\w:]+|shape:\S+)$/);
    expect(classify('the API call times out').signals.some((s) => s.startsWith('meeting_request:'))).toBe(false);
  });
});

describe('the blind-set reader of bench:classify (on a file made here)', () => {
  it('reads "# header" then meeting_request<TAB>where_is<TAB>text, \\n a newline, CRLF tolerated; none when absent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blind-'));
    try {
      const file = join(dir, 'blind.tsv');
      writeFileSync(file, '# written by someone else\n1\t0\tcan we hop on a call?\r\n0\t1\twhere is the deck?\\nthanks\n\n0\t0\tthe API call failed\n');
      const set = loadBlind(file);
      expect(set).toEqual([
        { line: 2, meeting_request: true, where_is: false, text: 'can we hop on a call?' },
        { line: 3, meeting_request: false, where_is: true, text: 'where is the deck?\nthanks' },
        { line: 5, meeting_request: false, where_is: false, text: 'the API call failed' },
      ]);
      const { scores } = evaluate(set ?? []);
      expect(scores.meeting_request.tp + scores.meeting_request.fn).toBe(1);
      expect(scores.question.tp + scores.question.fp + scores.question.fn + scores.question.tn).toBe(0);
      expect(loadBlind(join(dir, 'none.tsv'))).toBeNull();
      writeFileSync(file, '# x\nyes\t0\toops\n');
      expect(() => loadBlind(file)).toThrow(/blind.tsv:2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
