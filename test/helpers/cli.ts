import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectStore } from '../../src/store/connect';
import { freshStore, newDataDir, testBackend, type TestStore } from './store';

export const ROOT = join(__dirname, '..', '..');

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * A store for CLI processes: on Postgres a fresh schema named in DATABASE_URL's options (not
 * migrated: the CLI migrates it), on PGlite a fresh DATA_DIR, already migrated unless
 * { migrated: false } (see migratedDataDir). `open()` reads the same data in the test process
 * (PGlite: only while no CLI is running).
 */
export async function cliStore(opts: { migrated?: boolean } = {}): Promise<{ env: Record<string, string>; open(): Promise<TestStore | Awaited<ReturnType<typeof connectStore>>>; dispose(): Promise<void> }> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn' };
  if (testBackend() === 'postgres') {
    const store = await freshStore({ migrate: false });
    const url = new URL(String(process.env.DATABASE_URL));
    url.searchParams.set('options', `-c search_path=${store.schema}`);
    return {
      env: { ...base, DATABASE_URL: url.toString() },
      open: async () => ({ ...store, close: async () => undefined }),
      dispose: () => store.close(),
    };
  }
  const dir = await newDataDir('ac-cli-', opts);
  return {
    env: { ...base, DATABASE_URL: '', DATA_DIR: dir },
    open: () => connectStore({ kind: 'pglite', dataDir: dir }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** package.json's scripts, read once. */
const SCRIPTS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/**
 * The command `npm run <script>` runs for a script that is `tsx <file>` (every CLI in package.json):
 * node with tsx's loader on that file. Tests run it so, without npm in between (npm's own start costs
 * ~0.8 s of CPU per run, and the suites run a few hundred); test/cli/npm-scripts.test.ts runs each
 * such script through npm too and checks that both answer alike.
 */
export function directCommand(script: string): { file: string; args: string[] } | null {
  const m = /^tsx ([\w/.-]+\.ts)$/.exec(SCRIPTS[script] ?? '');
  return m?.[1] ? { file: process.execPath, args: ['--import', 'tsx', m[1]] } : null;
}

/**
 * Runs `npm run <script> -- args` (directly, see directCommand, unless `viaNpm`: then through npm as
 * SPEC §6 writes it, without -s; the project's .npmrc keeps npm's banner off stdout) and returns its
 * exit code and output (never throws on a non-zero exit).
 */
export function runScript(script: string, args: string[], env: Record<string, string>, stdin?: string, opts: { viaNpm?: boolean; cwd?: string } = {}): Promise<CliResult> {
  const direct = opts.viaNpm === true ? null : directCommand(script);
  const [file, argv] = direct ? [direct.file, [...direct.args, ...args]] : ['npm', ['run', script, '--', ...args]];
  return new Promise((resolve) => {
    const child = execFile(file, argv, { cwd: opts.cwd ?? ROOT, env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) return resolve({ code: 0, stdout, stderr });
      const e = err as { code?: unknown; signal?: unknown; killed?: boolean };
      // A process ended by a signal (or the timeout) has no exit code: say so instead of guessing one.
      if (typeof e.code !== 'number') return resolve({ code: -1, stdout, stderr: `${stderr}\n[ended by ${String(e.signal ?? e.code)}${e.killed ? ', killed' : ''}]` });
      resolve({ code: e.code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
