import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { directCommand, ROOT, runScript } from '../helpers/cli';

/**
 * The CLI suites run each `tsx <file>` script directly (helpers/cli.ts, directCommand), without npm.
 * Here every such script runs through `npm run` as SPEC §6 writes it (no -s), and directly: both give
 * the same exit code and the same output, for --help (0) and for an unknown option (2); so npm adds
 * nothing to stdout (its banner would break `--json` readers).
 */
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const CLIS = Object.keys(pkg.scripts).filter((s) => /^tsx src\/cli\//.test(pkg.scripts[s] ?? ''));
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn' };

it('every command of SPEC §6 is a tsx script under src/cli/ (so that the shortcut covers them all)', () => {
  expect(CLIS.sort()).toEqual(['audit', 'charter', 'classify', 'demo', 'digest', 'migrate']);
  for (const s of CLIS) expect(directCommand(s)?.args).toEqual(['--import', 'tsx', `src/cli/${s}.ts`]);
  expect(directCommand('start')).toBeNull();
});

it.each(CLIS)('npm run %s answers --help and an unknown option as the direct run does', async (script) => {
  const [npmHelp, directHelp, npmBad, directBad] = await Promise.all([
    runScript(script, ['--help'], ENV, '', { viaNpm: true }),
    runScript(script, ['--help'], ENV, ''),
    runScript(script, ['--no-such-option'], ENV, '', { viaNpm: true }),
    runScript(script, ['--no-such-option'], ENV, ''),
  ]);
  expect(npmHelp.code).toBe(0);
  expect(npmHelp.stdout).toMatch(new RegExp(`^usage: npm run ${script}\\b`));
  expect(directHelp).toEqual(npmHelp);
  expect(npmBad.code).toBe(2);
  expect(npmBad.stderr).toContain("Unknown option '--no-such-option'");
  expect(directBad).toEqual(npmBad);
});
