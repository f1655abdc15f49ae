import { cuesOf } from './classify-cues';
import { classifyPrepared, prepare, type Classification, type Prepared } from './classify-rules';

/**
 * Features of a message for the learned classifier: word 1-3-grams and character 3-5-grams of
 * the prepared text (markup, code and quotes already stripped by prepare()), the hand-written
 * rules' signals, and a few facts about the message's shape. Each feature has a readable name
 * and is hashed (FNV-1a, 32 bits) into one of 2^bits weights. Pure and deterministic.
 */

/**
 * One message as a sparse vector: distinct bucket indices (word grams, then char grams, then
 * fixed features) and their values; with what explain() needs to name them.
 */
export type FeatureVector = {
  // Plain arrays: a message has tens of features, and typed arrays cost more to allocate than to fill.
  idx: number[];
  val: number[];
  /** How many of idx are word grams (first) and char grams (next); the rest are fixed features. */
  words: number;
  chars: number;
  /** Per index, where it came from: a word gram's first position × 4 + its length (in <s> tokens </s>), a char gram's token, a fixed feature's place in fixedNames. */
  origin: number[];
  tokens: string[];
  fixedNames: string[];
};


/** 32-bit FNV-1a of a string's UTF-16 code units, as an unsigned integer. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The bucket of a feature name among 2^bits. */
export const bucketOf = (name: string, bits: number): number => fnv1a(name) & ((1 << bits) - 1);

const TOKEN = /:[a-z0-9_+-]+:|[@#]?[\p{L}\p{N}_]+(?:['’:.\-/][\p{L}\p{N}_]+)*|[?!.:;—]|\p{Extended_Pictographic}/gu;

/** Tokens of prepared text: words (apostrophes, "1:1", "e-mail" kept whole), ?, !, emoji; digits folded to 0 (1:1 kept). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const t = m[0];
    out.push(t === '1:1' || !DIGIT.test(t) ? t : t.replace(DIGITS, '0'));
  }
  return out;
}
const DIGIT = /\d/;
const DIGITS = /\d+/g;

/** Word n-grams (1..3) with start and end marks, as feature names ("w:hop on"). */
export function wordGrams(tokens: readonly string[]): string[] {
  const out: string[] = [];
  const s = ['<s>', ...tokens, '</s>'];
  for (let i = 0; i < s.length; i += 1) {
    const a = s[i] as string;
    if (i > 0 && i < s.length - 1) out.push(`w:${a}`);
    if (i + 1 < s.length) out.push(`w:${a} ${s[i + 1] as string}`);
    if (i + 2 < s.length) out.push(`w:${a} ${s[i + 1] as string} ${s[i + 2] as string}`);
  }
  return out;
}

const CHAR_WORD = /^[\p{L}][\p{L}'’-]*$/u;

/** Character 3..5-grams of one word padded with < and > ("c:<hud"); none for marks, emoji or short words. */
export function charGrams(token: string): string[] {
  if (!CHAR_WORD.test(token) || token.length < 2) return [];
  const s = `<${token}>`;
  const out: string[] = [];
  for (let n = 3; n <= 5; n += 1) for (let i = 0; i + n <= s.length; i += 1) out.push(`c:${s.slice(i, i + n)}`);
  return out;
}

/** Facts about the message's shape (m:...): whether it ends with or holds a question mark, whether it carries a link. */
const ENDS_Q = /\?\s*$/;

function shape(p: Prepared): string[] {
  const out: string[] = [];
  // No length buckets: on cross-validation they were worth 0.003 F1, and they learn how long this
  // corpus's requests happen to be (its one-word negatives, its long requests), a prior that other
  // people's messages need not share.
  if (ENDS_Q.test(p.text)) out.push('m:ends?');
  else if (p.text.includes('?')) out.push('m:has?');
  if (p.hosts.length > 0) out.push('m:link');
  // No mention or broadcast facts: on this corpus they learned that @here and several people
  // addressed mean a meeting invitation, which a real workspace need not share.
  return out;
}

const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a continued over s[from, to). */
function fnvOn(h: number, s: string, from = 0, to = s.length): number {
  let x = h;
  for (let i = from; i < to; i += 1) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, 0x01000193);
  }
  return x;
}
const W_PREFIX = fnvOn(FNV_OFFSET, 'w:');
const C_PREFIX = fnvOn(FNV_OFFSET, 'c:');
const SPACE = 32;
const step = (h: number, code: number) => Math.imul(h ^ code, 0x01000193);

/** Bucket de-duplication within one message: a mark per bucket, a fresh stamp per group and call. */
export class BucketMarks {
  // 16-bit stamps (half a megabyte for 2^18 buckets, kinder to the cache than 32-bit ones); cleared when they run out.
  private marks = new Uint16Array(0);
  private stamp = 0;
  /** A new group over 2^bits buckets: returns first(bucket), true the first time a bucket is seen in it. */
  group(bits: number): (bucket: number) => boolean {
    const size = 1 << bits;
    if (this.marks.length !== size) (this.marks = new Uint16Array(size)), (this.stamp = 0);
    if (this.stamp >= 0xffff) (this.marks.fill(0), (this.stamp = 0));
    this.stamp += 1;
    const g = this.stamp;
    const marks = this.marks;
    return (b) => (marks[b] === g ? false : ((marks[b] = g), true));
  }
}
export const MARKS = new BucketMarks();

/** Char grams weigh half as much as word grams (chosen on cross-validation). */
export const CHAR_WEIGHT = 0.5;

/** The value of each word gram and each char gram of a message with that many distinct ones. */
export const groupValues = (words: number, chars: number): { word: number; char: number } => ({
  word: words > 0 ? 1 / Math.sqrt(words) : 0,
  char: chars > 0 ? CHAR_WEIGHT / Math.sqrt(chars) : 0,
});

/**
 * The feature vector of a prepared message and its rule signals (r:...), hashed as it is read.
 * Word grams and char grams are binary (distinct buckets), each group scaled to unit length (char grams to CHAR_WEIGHT);
 * rule signals and shape facts (m:...) are 1. The same buckets as hashing featureNames() (tested).
 */
export function featuresOf(raw: string, p: Prepared, ruleSignals: readonly string[], bits: number): FeatureVector {
  const mask = (1 << bits) - 1;
  const tokens = tokenize(p.text);
  const words: number[] = [];
  const wordAt: number[] = [];
  const chars: number[] = [];
  const charOf: number[] = [];
  const firstWord = MARKS.group(bits);
  const firstChar = MARKS.group(bits);
  // Word grams: 1-grams of the tokens, 2- and 3-grams of <s> tokens </s>; each hash continues the previous one.
  const seq = ['<s>', ...tokens, '</s>'];
  for (let i = 0; i < seq.length; i += 1) {
    const a = fnvOn(W_PREFIX, seq[i] as string);
    if (i > 0 && i < seq.length - 1) {
      const b = (a >>> 0) & mask;
      if (firstWord(b)) (words.push(b), wordAt.push(i * 4 + 1));
    }
    if (i + 1 < seq.length) {
      const ab = fnvOn(step(a, SPACE), seq[i + 1] as string);
      const b2 = (ab >>> 0) & mask;
      if (firstWord(b2)) (words.push(b2), wordAt.push(i * 4 + 2));
      if (i + 2 < seq.length) {
        const b3 = (fnvOn(step(ab, SPACE), seq[i + 2] as string) >>> 0) & mask;
        if (firstWord(b3)) (words.push(b3), wordAt.push(i * 4 + 3));
      }
    }
  }
  // Char grams: from each position of <word>, the 3-, 4- and 5-gram, each extending the last.
  for (let k = 0; k < tokens.length; k += 1) {
    const t = tokens[k] as string;
    if (t.length < 2 || !CHAR_WORD.test(t)) continue;
    const s = `<${t}>`;
    for (let i = 0; i + 3 <= s.length; i += 1) {
      let h = fnvOn(C_PREFIX, s, i, i + 3);
      for (let n = 3; n <= 5 && i + n <= s.length; n += 1) {
        if (n > 3) h = step(h, s.charCodeAt(i + n - 1));
        const b = (h >>> 0) & mask;
        if (firstChar(b)) (chars.push(b), charOf.push(k));
      }
    }
  }
  const firstFixed = MARKS.group(bits);
  const fixed: number[] = [];
  const fixedOf: number[] = [];
  const fixedNames = [...ruleSignals.map((r) => `r:${r}`), ...shape(p)];
  fixedNames.forEach((f, i) => {
    const b = bucketOf(f, bits);
    if (firstFixed(b)) (fixed.push(b), fixedOf.push(i));
  });
  const idx = words.concat(chars, fixed);
  const origin = wordAt.concat(charOf, fixedOf);
  const g = groupValues(words.length, chars.length);
  const val: number[] = new Array<number>(idx.length);
  for (let k = 0; k < idx.length; k += 1) val[k] = k < words.length ? g.word : k < words.length + chars.length ? g.char : 1;
  return { idx, val, words: words.length, chars: chars.length, origin, tokens, fixedNames };
}

/**
 * The same features by name, in groups (the slow, readable way; for explanations and tests):
 * word grams, char grams with their word after a tab ("c:<hud\thuddle"), then r: and m: facts.
 */
export function featureNames(raw: string, p: Prepared, ruleSignals: readonly string[]): { words: string[]; chars: string[]; fixed: string[] } {
  const tokens = tokenize(p.text);
  const words = [...new Set(wordGrams(tokens))];
  const chars = new Map<string, string>();
  for (const t of tokens) for (const g of charGrams(t)) if (!chars.has(g)) chars.set(g, t);
  const fixed = [...new Set([...ruleSignals.map((r) => `r:${r}`), ...shape(p)])];
  return { words, chars: [...chars].map(([g, t]) => `${g}\t${t}`), fixed };
}

/** A feature name as a reader sees it: ngram:"hop on", chars:"huddle", rule:hop_on, shape:ends?. */
export function readable(name: string): string {
  if (name.startsWith('w:')) return `ngram:"${name.slice(2).replace(/^<s>/, '^').replace(/<\/s>$/, '$')}"`;
  if (name.startsWith('c:')) return `chars:"${name.slice(name.indexOf('\t') + 1)}"`;
  if (name.startsWith('r:')) return `rule:${name.slice(2)}`;
  return `shape:${name.slice(2)}`;
}

/** The model's input for one message: the rules' verdict (their signals, their labels as r:meeting_request and r:where_is, and the cues as r:cue:...) and the feature vector. */
export function analyse(raw: string, bits: number): { rules: Classification; features: FeatureVector } {
  const p = prepare(raw);
  const rules = classifyPrepared(p);
  const ruleSignals = [...rules.signals, ...(rules.meeting_request ? ['meeting_request'] : []), ...(rules.where_is ? ['where_is'] : []), ...cuesOf(p.text, p.candidates)];
  return { rules, features: featuresOf(raw, p, ruleSignals, bits) };
}
