import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectStore } from '../../src/store/connect';
import { emptyDataDir, freshStore, testBackend, type TestStore } from './store';

export const ROOT = join(__dirname, '..', '..');

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * A store for CLI processes: on Postgres a fresh schema named in DATABASE_URL's options, on
 * PGlite a fresh DATA_DIR. `open()` reads the same data in the test process (PGlite: only
 * while no CLI is running).
 */
export async function cliStore(): Promise<{ env: Record<string, string>; open(): Promise<TestStore | Awaited<ReturnType<typeof connectStore>>>; dispose(): Promise<void> }> {
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
  const dir = mkdtempSync(join(tmpdir(), 'ac-cli-'));
  cpSync(await emptyDataDir(), dir, { recursive: true });
  return {
    env: { ...base, DATABASE_URL: '', DATA_DIR: dir },
    open: () => connectStore({ kind: 'pglite', dataDir: dir }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `npm run <script> -- args` and returns its exit code and output (never throws on a non-zero exit). */
export function runScript(script: string, args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) return resolve({ code: 0, stdout, stderr });
      const e = err as { code?: unknown; signal?: unknown; killed?: boolean };
      // A process ended by a signal (or the timeout) has no exit code: say so instead of guessing one.
      if (typeof e.code !== 'number') return resolve({ code: -1, stdout, stderr: `${stderr}\n[ended by ${String(e.signal ?? e.code)}${e.killed ? ', killed' : ''}]` });
      resolve({ code: e.code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
