import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCorpus, trainModelFile } from '../bench/corpus';

/**
 * npm run train:classify: trains the meeting-request and "where is…?" models on
 * test/fixtures/classifier/corpus-*.tsv (holdout.tsv is never used), picks each threshold on
 * 5-fold cross-validation, and writes src/domain/classifier-model.json. Deterministic: the same
 * data gives the same file.
 */
const started = Date.now();
const set = loadCorpus();
const model = trainModelFile(set);
const out = join(__dirname, '..', 'src', 'domain', 'classifier-model.json');
const text = `${JSON.stringify(model, null, 1)}\n`;
writeFileSync(out, text);
process.stdout.write(`trained on ${set.length} messages in ${((Date.now() - started) / 1000).toFixed(1)} s → ${out} (${(text.length / 1024).toFixed(0)} KB)\n`);
process.stdout.write(`cross-validation: ${JSON.stringify(model.cv)}\n`);
