import { z } from 'zod';
import { bucketOf, groupValues, MARKS, readable, walkGrams, type FeatureVector } from './classify-features';

/**
 * The learned model as committed (src/domain/classifier-model.json, written by
 * `npm run train:classify`): per label a bias, 8-bit weights over 2^hash_bits hashed features
 * (base64) with their scale, and the threshold chosen on cross-validation. Scoring is a dot
 * product over the message's features; nothing is read or downloaded at run time.
 */

export const MODEL_LABELS = ['meeting_request', 'where_is'] as const;
export type ModelLabel = (typeof MODEL_LABELS)[number];

const LabelModel = z.object({
  bias: z.number(),
  scale: z.number().positive(),
  threshold: z.number().min(0).max(1),
  weights: z.string(),
});

export const ModelFile = z.object({
  version: z.literal(1),
  hash_bits: z.number().int().min(8).max(24),
  trained_on: z.object({ messages: z.number().int(), fingerprint: z.string() }),
  options: z.object({ dim: z.number().int(), epochs: z.number().int(), rate: z.number(), l2: z.number(), seed: z.number().int() }),
  labels: z.object({ meeting_request: LabelModel, where_is: LabelModel }),
  cv: z.record(z.string(), z.unknown()).optional(),
});
export type ModelFile = z.infer<typeof ModelFile>;

export type LoadedLabel = { bias: number; scale: number; threshold: number; q: Int8Array };
export type LoadedModel = { bits: number; labels: Record<ModelLabel, LoadedLabel> };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 (standard alphabet, = padding) to bytes; no dependency on Buffer or atob. */
export function fromBase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i += 1) {
    const v = B64.indexOf(clean[i] as string);
    if (v < 0) throw new Error('bad base64');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o] = (acc >> bits) & 0xff;
      o += 1;
    }
  }
  return out;
}

/** Bytes to base64 (standard alphabet, = padding). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = i + 1 < bytes.length ? (bytes[i + 1] as number) : 0;
    const c = i + 2 < bytes.length ? (bytes[i + 2] as number) : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63] as string;
    out += B64[(n >> 12) & 63] as string;
    out += i + 1 < bytes.length ? (B64[(n >> 6) & 63] as string) : '=';
    out += i + 2 < bytes.length ? (B64[n & 63] as string) : '=';
  }
  return out;
}

/** Validates a model file and decodes its weights; throws on a malformed one (it ships with the code). */
export function loadModel(json: unknown): LoadedModel {
  const m = ModelFile.parse(json);
  const dim = 1 << m.hash_bits;
  const label = (l: z.infer<typeof LabelModel>): LoadedLabel => {
    const bytes = fromBase64(l.weights);
    if (bytes.length !== dim) throw new Error(`model weights: ${bytes.length} bytes, expected ${dim}`);
    return { bias: l.bias, scale: l.scale, threshold: l.threshold, q: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
  };
  return { bits: m.hash_bits, labels: { meeting_request: label(m.labels.meeting_request), where_is: label(m.labels.where_is) } };
}

/** Probability of the label, 0..1. */
export function probability(l: LoadedLabel, x: FeatureVector): number {
  let z = l.bias;
  for (let k = 0; k < x.idx.length; k += 1) z += (l.q[x.idx[k] as number] as number) * l.scale * (x.val[k] as number);
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * The features that pushed a label up the most, readable (ngram:"hop on", chars:"huddle",
 * rule:hop_on), strongest first; char-grams add up per word. At most `top`, positive ones only.
 */
export function explain(l: LoadedLabel, bits: number, x: FeatureVector, top = 3): string[] {
  const mask = (1 << bits) - 1;
  const weight = (b: number) => (l.q[b] as number) * l.scale;
  const { word: vw, char: vc } = groupValues(x.words, x.chars);
  const seq = ['<s>', ...x.tokens, '</s>'];
  const found: Array<{ c: number; name: () => string }> = [];
  const perToken = new Map<string, number>();
  const firstWord = MARKS.group(bits);
  const firstChar = MARKS.group(bits);
  walkGrams(
    x.tokens,
    (h, at, n) => {
      const b = (h >>> 0) & mask;
      if (firstWord(b)) found.push({ c: weight(b) * vw, name: () => readable(`w:${seq.slice(at, at + n).join(' ')}`) });
    },
    (h, k) => {
      const b = (h >>> 0) & mask;
      const t = x.tokens[k] as string;
      if (firstChar(b)) perToken.set(t, (perToken.get(t) ?? 0) + weight(b) * vc);
    },
  );
  for (const [t, c] of perToken) found.push({ c, name: () => `chars:"${t}"` });
  const firstFixed = MARKS.group(bits);
  for (const f of x.fixedNames) {
    const b = bucketOf(f, bits);
    if (firstFixed(b)) found.push({ c: weight(b), name: () => readable(f) });
  }
  return found
    .filter((f) => f.c > 0)
    .sort((a, b) => b.c - a.c)
    .slice(0, top)
    .map((f) => f.name());
}
