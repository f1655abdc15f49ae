import { z } from 'zod';
import { readable, type FeatureVector } from './classify-features';

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
export function explain(l: LoadedLabel, x: FeatureVector, top = 3): string[] {
  // The best `top` candidates so far, strongest first: [contribution, kind (0 word, 1 fixed, 2 token), where].
  const best: Array<[number, number, number | string]> = [];
  const offer = (c: number, kind: number, at: number | string) => {
    if (c <= 0 || (best.length === top && c <= (best[top - 1] as [number, number, number | string])[0])) return;
    let i = best.length;
    while (i > 0 && (best[i - 1] as [number, number, number | string])[0] < c) i -= 1;
    best.splice(i, 0, [c, kind, at]);
    if (best.length > top) best.pop();
  };
  let perToken: Map<string, number> | null = null;
  for (let k = 0; k < x.idx.length; k += 1) {
    const c = (l.q[x.idx[k] as number] as number) * l.scale * (x.val[k] as number);
    const o = x.origin[k] as number;
    if (k < x.words) offer(c, 0, o);
    else if (k < x.words + x.chars) {
      const t = x.tokens[o] as string;
      perToken ??= new Map();
      perToken.set(t, (perToken.get(t) ?? 0) + c);
    } else offer(c, 1, o);
  }
  if (perToken) for (const [t, c] of perToken) offer(c, 2, t);
  return best.map(([, kind, at]) => {
    if (kind === 2) return `chars:"${at as string}"`;
    if (kind === 1) return readable(x.fixedNames[at as number] as string);
    const o = at as number;
    return readable(`w:${['<s>', ...x.tokens, '</s>'].slice(o >> 2, (o >> 2) + (o & 3)).join(' ')}`);
  });
}
