import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATE } from '../src/domain/classify-rules';
import '../src/domain/classify-cues';
import { literalKey } from '../src/domain/literal-gate';
import { neededLiterals } from './regex-literals';

/**
 * npm run literals:classify: writes src/domain/classify-literals.json, the strings one of which
 * every match of each of the classifier's gated patterns must hold (scripts/regex-literals.ts).
 * Run it after changing a pattern: a pattern missing from the table always runs (slower, same
 * labels), and test/domain/classify-gates.test.ts fails until the table is written again.
 */
export function classifyLiterals(): Record<string, string[] | null> {
  const table: Record<string, string[] | null> = {};
  for (const re of GATE.patterns()) table[literalKey(re)] = neededLiterals(re)?.sort() ?? null;
  return table;
}

if (require.main === module) {
  const out = join(__dirname, '..', 'src', 'domain', 'classify-literals.json');
  const table = classifyLiterals();
  // One pattern a line, so that a changed pattern is a changed line.
  writeFileSync(out, `{\n${Object.entries(table).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`);
  process.stdout.write(`${Object.keys(table).length} patterns → ${out}\n`);
}
