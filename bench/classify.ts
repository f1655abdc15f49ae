import { performance } from 'node:perf_hooks';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { classify, MEETING_THRESHOLD, WHERE_IS_THRESHOLD } from '../src/domain/classify';
import { classifyByRules } from '../src/domain/classify-rules';
import { MODEL_LABELS, type ModelLabel } from '../src/domain/classify-model';
import { BLIND_FILE, CORPUS_DIR, houstonTexts, crossValidateCorpus, cvScores, CV_FOLDS, evaluate, isHardNegative, LABELS, loadBlind, loadCorpus, type Scores } from './corpus';

/**
 * npm run bench:classify [-- --errors] [-- --no-blind]: the classifier's figures.
 *  - the training corpus (test/fixtures/classifier/corpus-*.tsv): counts, hard negatives;
 *  - 5-fold cross-validation of the learned labels at the committed thresholds (each fold's
 *    model is trained here on the other four, as train:classify does);
 *  - the question label (rules, never trained) on the corpus;
 *  - the held-out set (holdout.tsv, never trained on), the rules alone beside it;
 *  - the blind set test/fixtures/classifier-blind/blind.tsv when it exists (not with --no-blind);
 *  - how many messages of a real export (houstondatavis, unlabelled) it flags, and which;
 *  - speed: messages per second and per-message latency;
 *  - field feedback from the store ("Not a meeting request" clicks).
 */
const showErrors = process.argv.includes('--errors');
const out = (s = '') => process.stdout.write(`${s}\n`);
const f3 = (x: number) => x.toFixed(3);
const head = () => out(`${'label'.padEnd(18)}${'precision'.padStart(10)}${'recall'.padStart(9)}${'F1'.padStart(8)}${'tp'.padStart(6)}${'fp'.padStart(6)}${'fn'.padStart(6)}`);
const row = (l: string, s: { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number }) =>
  out(`${l.padEnd(18)}${f3(s.precision).padStart(10)}${f3(s.recall).padStart(9)}${f3(s.f1).padStart(8)}${String(s.tp).padStart(6)}${String(s.fp).padStart(6)}${String(s.fn).padStart(6)}`);
const thresholds: Record<ModelLabel, number> = { meeting_request: MEETING_THRESHOLD, where_is: WHERE_IS_THRESHOLD };

const set = loadCorpus();
const count = (p: (x: (typeof set)[number]) => boolean) => set.filter(p).length;
const hard = count(isHardNegative);
out(`corpus: ${set.length} messages: ${count((x) => x.meeting_request)} meeting requests, ${count((x) => x.where_is)} "where is", ${count((x) => x.question)} questions, ${count((x) => !x.meeting_request && !x.where_is)} neither; hard negatives ${hard} (${((100 * hard) / set.length).toFixed(1)}%)`);
const size = statSync(join(__dirname, '..', 'src', 'domain', 'classifier-model.json')).size;
out(`model: src/domain/classifier-model.json, ${(size / 1024).toFixed(0)} KB; thresholds meeting_request ${MEETING_THRESHOLD}, where_is ${WHERE_IS_THRESHOLD}`);

// Cross-validation: honest figures for the learned labels.
const t0 = performance.now();
const cv = crossValidateCorpus(set);
out(`\n${CV_FOLDS}-fold cross-validation (${((performance.now() - t0) / 1000).toFixed(1)} s), at the committed thresholds:`);
head();
for (const l of MODEL_LABELS) row(l, cvScores(set, cv[l], l, thresholds[l]));
const q = evaluate(set).scores.question;
row('question (rules)', q);
if (showErrors) {
  out('\ncross-validation misses:');
  for (const l of MODEL_LABELS) {
    set.forEach((x, i) => {
      const p = cv[l][i] as number;
      if (p >= thresholds[l] !== x[l]) out(`  ${l} expected ${x[l] ? 1 : 0} p=${p.toFixed(2)} · ${x.file}:${x.line} · ${JSON.stringify(x.text)}`);
    });
  }
}

// The held-out set: never trained on.
const holdout = loadCorpus(CORPUS_DIR, /^holdout\.tsv$/);
const report = (name: string, scores: Record<(typeof LABELS)[number], Scores>, labels: readonly (typeof LABELS)[number][]) => {
  out(`\n${name}`);
  head();
  for (const l of labels) row(l, scores[l]);
};
if (holdout.length > 0) {
  const h = evaluate(holdout);
  report(`held-out (holdout.tsv, ${holdout.length} messages, never trained on): the model`, h.scores, LABELS);
  report('held-out: the rules alone, for comparison', evaluate(holdout, classifyByRules).scores, LABELS);
  if (showErrors) for (const e of h.errors) out(`  ${e.label} expected ${e.expected ? 1 : 0} score=${e.score} · ${JSON.stringify(e.item.text)} · [${e.signals.join(', ')}]`);
}

// The blind set, written by someone else: read only when it is there.
const blind = process.argv.includes('--no-blind') ? null : loadBlind();
if (blind === null) out(`\nblind set: ${process.argv.includes('--no-blind') ? 'skipped (--no-blind)' : `none at ${BLIND_FILE}`}`);
else {
  const b = evaluate(blind);
  report(`blind set (${blind.length} messages): the model`, b.scores, ['meeting_request', 'where_is']);
  report('blind set: the rules alone, for comparison', evaluate(blind, classifyByRules).scores, ['meeting_request', 'where_is']);
  if (showErrors) for (const e of b.errors) out(`  ${e.label} expected ${e.expected ? 1 : 0} score=${e.score} · line ${e.item.line} · ${JSON.stringify(e.item.text)} · [${e.signals.join(', ')}]`);
}

// Real messages nobody labelled: the houstondatavis export (a public community, 2015-2016) in
// test/fixtures. How many the model flags, and (with --errors) which, for a reader to judge.
{
  const texts = houstonTexts();
  const flagged = texts.map((t) => ({ t, c: classify(t) })).filter((x) => x.c.meeting_request || x.c.where_is);
  out(`\nreal messages, unlabelled (houstondatavis export, ${texts.length} human messages): ${flagged.filter((x) => x.c.meeting_request).length} flagged as meeting requests, ${flagged.filter((x) => x.c.where_is).length} as "where is" (the rules alone: ${texts.filter((t) => classifyByRules(t).meeting_request).length} and ${texts.filter((t) => classifyByRules(t).where_is).length})`);
  if (showErrors) for (const x of flagged) out(`  ${x.c.meeting_request ? 'meeting_request' : ''}${x.c.where_is ? ' where_is' : ''} · ${JSON.stringify(x.t.replace(/\s+/g, ' ').slice(0, 160))}`);
}

// Speed: every corpus message, several rounds, after a warm-up. Wall time and CPU time (the latter
// holds on a busy machine, where wall-clock latency also counts the time the process waited).
const texts = set.map((x) => x.text);
for (const t of texts.slice(0, 500)) classify(t);
const lat: number[] = [];
const cpu0 = process.cpuUsage();
const s0 = performance.now();
for (let round = 0; round < 5; round += 1) {
  for (const t of texts) {
    const a = performance.now();
    classify(t);
    lat.push(performance.now() - a);
  }
}
const total = performance.now() - s0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
lat.sort((a, b) => a - b);
const pct = (p: number) => (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] as number) * 1000;
out(`\nspeed (${lat.length} classifications, one core): ${Math.round(lat.length / (total / 1000)).toLocaleString('en-US')} messages/s by the wall clock, ${Math.round(lat.length / (cpuMs / 1000)).toLocaleString('en-US')} per CPU-second`);
out(`per message: ${((1000 * cpuMs) / lat.length).toFixed(1)} µs of CPU; wall clock mean ${((1000 * lat.reduce((a, b) => a + b, 0)) / lat.length).toFixed(1)} µs, p50 ${pct(0.5).toFixed(1)} µs, p99 ${pct(0.99).toFixed(1)} µs`);

// Feedback from people: "Not a meeting request" clicks on nudges shown (from the store, when there is one).
void (async () => {
  const { existsSync } = await import('node:fs');
  const { loadDotEnv, loadStoreConfig, processEnv } = await import('../src/config');
  loadDotEnv();
  const cfg = loadStoreConfig(processEnv());
  if (cfg.kind === 'pglite' && !existsSync(cfg.dataDir)) {
    out(`\nfield feedback: no store at ${cfg.dataDir} (run the bot first, or set DATABASE_URL)`);
    return;
  }
  const { connectStore } = await import('../src/store/connect');
  const { migrateToLatest } = await import('../src/store/migrate');
  const { meetingNudgeFeedback } = await import('../src/store/nudges');
  const store = await connectStore(cfg);
  try {
    await migrateToLatest(store.db);
    const f = await meetingNudgeFeedback(store.db);
    const precision = f.shown === 0 ? '–' : ((f.shown - f.notMeeting) / f.shown).toFixed(3);
    out(`\nfield feedback: ${f.shown} meeting-request nudges shown, ${f.notMeeting} marked "not a meeting request" (precision in the field ≈ ${precision})`);
  } finally {
    await store.close();
  }
})();
