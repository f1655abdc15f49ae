import { CORPUS_DIR, evaluate, LABELS, loadCorpus } from './corpus';

/** npm run bench:classify [-- --errors]: precision, recall and F1 per label on the labelled corpus. */
const set = loadCorpus();
const { scores, errors } = evaluate(set);
const pct = (x: number) => x.toFixed(3);
process.stdout.write(`corpus: ${set.length} messages (${set.filter((x) => x.meeting_request).length} meeting requests, ${set.filter((x) => x.where_is).length} "where is", ${set.filter((x) => x.question).length} questions)\n\n`);
process.stdout.write(`${'label'.padEnd(16)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'F1'.padStart(8)}${'tp'.padStart(6)}${'fp'.padStart(6)}${'fn'.padStart(6)}\n`);
for (const l of LABELS) {
  const s = scores[l];
  process.stdout.write(`${l.padEnd(16)}${pct(s.precision).padStart(10)}${pct(s.recall).padStart(10)}${pct(s.f1).padStart(8)}${String(s.tp).padStart(6)}${String(s.fp).padStart(6)}${String(s.fn).padStart(6)}\n`);
}
if (process.argv.includes('--errors')) {
  process.stdout.write('\nmisclassified:\n');
  for (const e of errors) process.stdout.write(`  ${e.label} expected ${e.expected} · ${e.item.file}:${e.item.line} · ${JSON.stringify(e.item.text)} · [${e.signals.join(', ')}]\n`);
}

// The held-out set (written after the rules, never used to tune them).
const holdout = loadCorpus(CORPUS_DIR, /^holdout\.tsv$/);
if (holdout.length > 0) {
  const h = evaluate(holdout).scores;
  process.stdout.write(`\nheld-out: ${holdout.length} messages\n`);
  for (const l of LABELS) process.stdout.write(`${l.padEnd(16)}${pct(h[l].precision).padStart(10)}${pct(h[l].recall).padStart(10)}${pct(h[l].f1).padStart(8)}${String(h[l].tp).padStart(6)}${String(h[l].fp).padStart(6)}${String(h[l].fn).padStart(6)}\n`);
  if (process.argv.includes('--errors')) for (const e of evaluate(holdout).errors) process.stdout.write(`  ${e.label} expected ${e.expected} · ${JSON.stringify(e.item.text)} · [${e.signals.join(', ')}]\n`);
}

// Feedback from people: "Not a meeting request" clicks on nudges shown (from the store, when there is one).
void (async () => {
  const { existsSync } = await import('node:fs');
  const { loadDotEnv, loadStoreConfig, processEnv } = await import('../src/config');
  loadDotEnv();
  const cfg = loadStoreConfig(processEnv());
  if (cfg.kind === 'pglite' && !existsSync(cfg.dataDir)) {
    process.stdout.write(`\nfield feedback: no store at ${cfg.dataDir} (run the bot first, or set DATABASE_URL)\n`);
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
    process.stdout.write(`\nfield feedback: ${f.shown} meeting-request nudges shown, ${f.notMeeting} marked "not a meeting request" (precision in the field ≈ ${precision})\n`);
  } finally {
    await store.close();
  }
})();
