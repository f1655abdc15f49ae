import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, type Classification } from '../src/domain/classify';
import { analyse } from '../src/domain/classify-features';
import { MODEL_LABELS, toBase64, type ModelFile, type ModelLabel } from '../src/domain/classify-model';
import { crossValidate, folds, pickThreshold, prAt, quantize, trainLogistic, type PR, type Sparse, type TrainOptions } from '../src/domain/classify-train';

export type Labelled = { file: string; line: number; meeting_request: boolean; where_is: boolean; question: boolean; text: string };
export const LABELS = ['meeting_request', 'where_is', 'question'] as const;
export type Label = (typeof LABELS)[number];
export const CORPUS_DIR = join(__dirname, '..', 'test', 'fixtures', 'classifier');
/** The blind set another person writes; read only when it exists, by the lead. */
export const BLIND_FILE = join(__dirname, '..', 'test', 'fixtures', 'classifier-blind', 'blind.tsv');

/** The human messages' texts of the houstondatavis export in test/fixtures (real, public, unlabelled), in file order. */
export function houstonTexts(): string[] {
  const dir = join(__dirname, '..', 'test', 'fixtures', 'slack-export-houstondatavis');
  const texts: string[] = [];
  for (const ch of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const f of readdirSync(join(dir, ch.name)).filter((n) => n.endsWith('.json')).sort()) {
      for (const m of JSON.parse(readFileSync(join(dir, ch.name, f), 'utf8')) as Array<{ subtype?: string; text?: string }>) {
        if ((m.subtype === undefined || ['thread_broadcast', 'file_share', 'me_message'].includes(m.subtype)) && m.text) texts.push(m.text);
      }
    }
  }
  return texts;
}

/** Reads every corpus-*.tsv: "meeting<TAB>where_is<TAB>question<TAB>text", "\n" standing for a newline. */
export function loadCorpus(dir = CORPUS_DIR, files = /^corpus-.*\.tsv$/): Labelled[] {
  const out: Labelled[] = [];
  for (const file of readdirSync(dir).filter((f) => files.test(f)).sort()) {
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .forEach((row, i) => {
        if (row.trim() === '' || row.startsWith('#')) return;
        const [m, w, q, ...rest] = row.split('\t');
        if (rest.length === 0 || ![m, w, q].every((x) => x === '0' || x === '1')) throw new Error(`${file}:${i + 1}: expected 0/1<TAB>0/1<TAB>0/1<TAB>text`);
        out.push({ file, line: i + 1, meeting_request: m === '1', where_is: w === '1', question: q === '1', text: rest.join('\t').replace(/\\n/g, '\n') });
      });
  }
  return out;
}

/** The blind set, when there is one: "# header", then "meeting_request<TAB>where_is<TAB>text" ("\n" a newline); no question column. */
export function loadBlind(path = BLIND_FILE): Array<{ line: number; meeting_request: boolean; where_is: boolean; text: string }> | null {
  if (!existsSync(path)) return null;
  const out: Array<{ line: number; meeting_request: boolean; where_is: boolean; text: string }> = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((row, i) => {
      const r = row.replace(/\r$/, '');
      if (r.trim() === '' || r.startsWith('#')) return;
      const [m, w, ...rest] = r.split('\t');
      if (rest.length === 0 || ![m, w].every((x) => x === '0' || x === '1')) throw new Error(`blind.tsv:${i + 1}: expected 0/1<TAB>0/1<TAB>text`);
      out.push({ line: i + 1, meeting_request: m === '1', where_is: w === '1', text: rest.join('\t').replace(/\\n/g, '\n') });
    });
  return out;
}

export type Scores = { tp: number; fp: number; fn: number; tn: number; precision: number; recall: number; f1: number };

type Item = { meeting_request: boolean; where_is: boolean; question?: boolean; text: string };

/** Precision, recall and F1 per label, plus the misses, for a labelled set (labels a set lacks are left out). */
export function evaluate<T extends Item>(set: readonly T[], classifier: (text: string) => Classification = classify): { scores: Record<Label, Scores>; errors: Array<{ label: Label; expected: boolean; item: T; signals: string[]; score: number }> } {
  const scores = Object.fromEntries(LABELS.map((l) => [l, { tp: 0, fp: 0, fn: 0, tn: 0, precision: 0, recall: 0, f1: 0 }])) as Record<Label, Scores>;
  const errors: Array<{ label: Label; expected: boolean; item: T; signals: string[]; score: number }> = [];
  for (const item of set) {
    const got = classifier(item.text);
    for (const l of LABELS) {
      const want = item[l];
      if (want === undefined) continue;
      const s = scores[l];
      const have = got[l];
      if (want && have) s.tp += 1;
      else if (!want && have) s.fp += 1;
      else if (want && !have) s.fn += 1;
      else s.tn += 1;
      if (want !== have) errors.push({ label: l, expected: want, item, signals: got.signals, score: got.score });
    }
  }
  for (const s of Object.values(scores)) {
    s.precision = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
    s.recall = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
    s.f1 = s.precision + s.recall === 0 ? 0 : (2 * s.precision * s.recall) / (s.precision + s.recall);
  }
  return { scores, errors };
}

// ---------- training (npm run train:classify) and cross-validation (npm run bench:classify) ----------

export const HASH_BITS = 18;
export const TRAIN_OPTIONS: TrainOptions = { dim: 1 << HASH_BITS, epochs: 12, rate: 0.3, l2: 1e-5, seed: 12 };
export const CV_FOLDS = 5;
export const CV_SEED = 2024;
/** Thresholds are picked on cross-validation to hold at least this precision. */
export const MIN_PRECISION = 0.92;

/** SHA-256 of the training rows in order: the committed model names the data it was trained on. */
export function fingerprint(set: readonly Labelled[]): string {
  const h = createHash('sha256');
  for (const x of set) h.update(`${+x.meeting_request}\t${+x.where_is}\t${+x.question}\t${x.text}\n`);
  return h.digest('hex');
}

export const featurize = (set: readonly { text: string }[], bits = HASH_BITS): Sparse[] => set.map((x) => analyse(x.text, bits).features);
const ys = (set: readonly Labelled[], l: ModelLabel): number[] => set.map((x) => (x[l] ? 1 : 0));

/** Out-of-fold probabilities of each model label, 5 folds, seeded. */
export function crossValidateCorpus(set: readonly Labelled[], xs: readonly Sparse[] = featurize(set), o: TrainOptions = TRAIN_OPTIONS): Record<ModelLabel, Float64Array> {
  const f = folds(set.length, CV_FOLDS, CV_SEED);
  return Object.fromEntries(MODEL_LABELS.map((l) => [l, crossValidate(xs, ys(set, l), f, CV_FOLDS, o)])) as Record<ModelLabel, Float64Array>;
}

/** Precision and recall of out-of-fold probabilities at a threshold. */
export const cvScores = (set: readonly Labelled[], probs: Float64Array, l: ModelLabel, threshold: number): PR => prAt(probs, ys(set, l), threshold);

/** The shipped weights of one label, trained on all the data (quantised). */
export function trainLabel(xs: readonly Sparse[], set: readonly Labelled[], l: ModelLabel, o: TrainOptions = TRAIN_OPTIONS): { bias: number; scale: number; weights: string } {
  const q = quantize(trainLogistic(xs, ys(set, l), o));
  return { bias: q.b, scale: q.scale, weights: toBase64(new Uint8Array(q.q.buffer)) };
}

/** Trains the shipped model: thresholds from cross-validation, weights from all the data. */
export function trainModelFile(set: readonly Labelled[], o: TrainOptions = TRAIN_OPTIONS): ModelFile {
  const xs = featurize(set);
  const cv = crossValidateCorpus(set, xs, o);
  const labels = {} as ModelFile['labels'];
  const figures: Record<string, unknown> = { folds: CV_FOLDS, seed: CV_SEED, min_precision: MIN_PRECISION };
  const round = (x: number) => Math.round(x * 1000) / 1000;
  for (const l of MODEL_LABELS) {
    const pick = pickThreshold(cv[l], ys(set, l), MIN_PRECISION);
    labels[l] = { ...trainLabel(xs, set, l, o), threshold: round(pick.threshold) };
    figures[l] = { threshold: round(pick.threshold), precision: round(pick.precision), recall: round(pick.recall), f1: round(pick.f1), tp: pick.tp, fp: pick.fp, fn: pick.fn };
  }
  return { version: 1, hash_bits: HASH_BITS, trained_on: { messages: set.length, fingerprint: fingerprint(set) }, options: o, labels, cv: figures };
}

/**
 * A hard negative: neither label, yet close to one. Every negative in a file written as hard
 * negatives (corpus-negatives*.tsv, corpus-v2-*hardneg*.tsv), and any other negative that uses
 * the words a careless rule would catch.
 */
export const isHardNegative = (m: { file?: string; meeting_request: boolean; where_is: boolean; text: string }): boolean =>
  !m.meeting_request &&
  !m.where_is &&
  (/negatives|hardneg/.test(m.file ?? '') ||
    /\b(call|calls|called|calling|meeting|meetings|meet|met|sync|zoom|teams|huddle|invite|link|links|doc|docs|where|find|found|phone|calendar|chat|talk|talked|notes|recording|standup|agenda|live|session|screen|pair|paired|walk|demo|available|free|minutes|folder|saved|anyone have|anybody have|whiteboard|face|connect|1:1|video|voice)\b/i.test(m.text));
