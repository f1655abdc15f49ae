/**
 * Training the classifier's logistic regressions: L2-regularised log loss over sparse hashed
 * features, minimised by AdaGrad SGD in a seeded order (the same data and options give the same
 * weights, bit for bit), k-fold cross-validation, threshold choice and 8-bit quantisation.
 * Pure: used by scripts/train-classify.ts and bench/classify.ts, never at run time.
 */

/** One example as a sparse vector (bucket indices and values; a bucket may repeat). */
export type Sparse = { idx: ArrayLike<number>; val: ArrayLike<number> };

export type TrainOptions = { dim: number; epochs: number; rate: number; l2: number; seed: number };

export type Linear = { w: Float64Array; b: number };

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0..n-1 in a seeded Fisher-Yates order. */
export function shuffled(n: number, seed: number): number[] {
  const rand = prng(seed);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** b + w·x. */
export function margin(m: Linear, x: Sparse): number {
  let z = m.b;
  for (let k = 0; k < x.idx.length; k += 1) z += (m.w[x.idx[k] as number] as number) * (x.val[k] as number);
  return z;
}

/** Mean log loss of a model on examples (with its L2 term), for tests and diagnostics. */
export function logLoss(m: Linear, xs: readonly Sparse[], ys: ArrayLike<number>, l2 = 0): number {
  let loss = 0;
  xs.forEach((x, i) => {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(margin(m, x))));
    loss -= ys[i] === 1 ? Math.log(p) : Math.log(1 - p);
  });
  let reg = 0;
  for (let j = 0; j < m.w.length; j += 1) reg += (m.w[j] as number) ** 2;
  return loss / Math.max(1, xs.length) + (l2 / 2) * reg;
}

/**
 * Logistic regression by AdaGrad SGD: each epoch visits the examples in a seeded order; the L2
 * pull is applied to the weights an example touches. ys are 0/1.
 */
export function trainLogistic(xs: readonly Sparse[], ys: ArrayLike<number>, o: TrainOptions): Linear {
  const w = new Float64Array(o.dim);
  const g2 = new Float64Array(o.dim);
  let b = 0;
  let gb2 = 0;
  for (let epoch = 0; epoch < o.epochs; epoch += 1) {
    for (const i of shuffled(xs.length, o.seed + epoch)) {
      const x = xs[i] as Sparse;
      const err = sigmoid(margin({ w, b }, x)) - (ys[i] as number);
      for (let k = 0; k < x.idx.length; k += 1) {
        const j = x.idx[k] as number;
        const g = err * (x.val[k] as number) + o.l2 * (w[j] as number);
        g2[j] = (g2[j] as number) + g * g;
        w[j] = (w[j] as number) - (o.rate * g) / (Math.sqrt(g2[j] as number) + 1e-9);
      }
      gb2 += err * err;
      b -= (o.rate * err) / (Math.sqrt(gb2) + 1e-9);
    }
  }
  return { w, b };
}

/** 8-bit weights: round(w / scale) in -127..127, scale = max|w| / 127. */
export function quantize(m: Linear): { q: Int8Array; scale: number; b: number } {
  let max = 0;
  for (let j = 0; j < m.w.length; j += 1) max = Math.max(max, Math.abs(m.w[j] as number));
  const scale = max === 0 ? 1 : max / 127;
  const q = new Int8Array(m.w.length);
  for (let j = 0; j < m.w.length; j += 1) q[j] = Math.round((m.w[j] as number) / scale);
  return { q, scale, b: m.b };
}

/** The model a quantised one stands for. */
export function dequantize(x: { q: Int8Array; scale: number; b: number }): Linear {
  const w = new Float64Array(x.q.length);
  for (let j = 0; j < w.length; j += 1) w[j] = (x.q[j] as number) * x.scale;
  return { w, b: x.b };
}

/** Fold of each example (0..k-1): a seeded order dealt round-robin, so folds differ in size by at most one. */
export function folds(n: number, k: number, seed: number): Int32Array {
  const f = new Int32Array(n);
  shuffled(n, seed).forEach((i, pos) => {
    f[i] = pos % k;
  });
  return f;
}

/** Out-of-fold probabilities: for each fold, a model trained on the others (quantised as shipped) scores it. */
export function crossValidate(xs: readonly Sparse[], ys: ArrayLike<number>, fold: Int32Array, k: number, o: TrainOptions): Float64Array {
  const out = new Float64Array(xs.length);
  for (let f = 0; f < k; f += 1) {
    const train = xs.map((_, i) => i).filter((i) => fold[i] !== f);
    const m = dequantize(quantize(trainLogistic(train.map((i) => xs[i] as Sparse), train.map((i) => ys[i] as number), o)));
    xs.forEach((x, i) => {
      if (fold[i] === f) out[i] = sigmoid(margin(m, x));
    });
  }
  return out;
}

export type PR = { threshold: number; tp: number; fp: number; fn: number; precision: number; recall: number; f1: number };

/** Precision and recall of "probability >= threshold" against 0/1 labels. */
export function prAt(probs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): PR {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < probs.length; i += 1) {
    const hit = (probs[i] as number) >= threshold;
    if (hit && ys[i] === 1) tp += 1;
    else if (hit) fp += 1;
    else if (ys[i] === 1) fn += 1;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  return { threshold, tp, fp, fn, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

/**
 * The threshold (on a 0.005 grid, 0.05..0.95) with the best F1 among those whose precision is at
 * least minPrecision, preferring the highest threshold within `slack` F1 of that best (F1 is flat
 * near its top, and a flat curve should not slide the threshold towards recall); the most
 * precise one when none reaches the floor.
 */
export function pickThreshold(probs: ArrayLike<number>, ys: ArrayLike<number>, minPrecision: number, slack = 0.003): PR {
  const all: PR[] = [];
  for (let s = 10; s <= 190; s += 1) all.push(prAt(probs, ys, s / 200));
  const ok = all.filter((r) => r.precision >= minPrecision);
  if (ok.length === 0) return all.reduce((a, b) => (b.precision >= a.precision ? b : a));
  const best = Math.max(...ok.map((r) => r.f1));
  return ok.filter((r) => r.f1 >= best - slack).reduce((a, b) => (b.threshold > a.threshold ? b : a));
}
