import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify } from '../src/domain/classify';

export type Labelled = { file: string; line: number; meeting_request: boolean; where_is: boolean; question: boolean; text: string };
export const LABELS = ['meeting_request', 'where_is', 'question'] as const;
export type Label = (typeof LABELS)[number];
export const CORPUS_DIR = join(__dirname, '..', 'test', 'fixtures', 'classifier');

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

export type Scores = { tp: number; fp: number; fn: number; tn: number; precision: number; recall: number; f1: number };

/** Precision, recall and F1 per label, plus the misses, for a labelled set. */
export function evaluate(set: readonly Labelled[]): { scores: Record<Label, Scores>; errors: Array<{ label: Label; expected: boolean; item: Labelled; signals: string[] }> } {
  const scores = Object.fromEntries(LABELS.map((l) => [l, { tp: 0, fp: 0, fn: 0, tn: 0, precision: 0, recall: 0, f1: 0 }])) as Record<Label, Scores>;
  const errors: Array<{ label: Label; expected: boolean; item: Labelled; signals: string[] }> = [];
  for (const item of set) {
    const got = classify(item.text);
    for (const l of LABELS) {
      const s = scores[l];
      const want = item[l];
      const have = got[l];
      if (want && have) s.tp += 1;
      else if (!want && have) s.fp += 1;
      else if (want && !have) s.fn += 1;
      else s.tn += 1;
      if (want !== have) errors.push({ label: l, expected: want, item, signals: got.signals });
    }
  }
  for (const s of Object.values(scores)) {
    s.precision = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
    s.recall = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
    s.f1 = s.precision + s.recall === 0 ? 0 : (2 * s.precision * s.recall) / (s.precision + s.recall);
  }
  return { scores, errors };
}
