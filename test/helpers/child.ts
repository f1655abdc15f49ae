import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { SIGNING_SECRET } from './app-harness';
import { freshStore, newDataDir, testBackend, type TestStore } from './store';

/** Helpers for tests that run the app (or npm start) as a real process. */

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Everything the child prints (stdout and stderr), for assertions and failure messages. */
export function capture(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

/** p, or a failure naming what took too long and what the child had printed by then. */
export async function until<T>(what: string, p: Promise<T>, ms: number, output: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms; the process printed:\n${output()}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the output matches (wrap it in until() for a deadline). */
export async function waitForOutput(output: () => string, pattern: RegExp): Promise<void> {
  while (!pattern.test(output())) await new Promise((r) => setTimeout(r, 25));
}

/** The environment of an app process a test runs: the fake Slack's token and URL, the signing secret, a port, info logs; then `extra`. */
export function appEnv(fake: { token: string; apiUrl: string }, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    SLACK_BOT_TOKEN: fake.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: String(port),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/**
 * Where an app process keeps its data: on Postgres (DATABASE_URL) a fresh schema, not migrated (the
 * app migrates), open here as `pg` for assertions; else a new DATA_DIR. close() drops either.
 */
export type SpawnedStore = { env: Record<string, string>; pg?: TestStore; dataDir?: string; close(): Promise<void> };

export async function spawnedStore(prefix: string): Promise<SpawnedStore> {
  if (testBackend() === 'postgres') {
    const pg = await freshStore({ migrate: false });
    const url = new URL(String(process.env.DATABASE_URL));
    url.searchParams.set('options', `-c search_path=${pg.schema}`);
    return { env: { DATABASE_URL: url.toString() }, pg, close: () => pg.close() };
  }
  const dataDir = await newDataDir(prefix);
  return { env: { DATA_DIR: dataDir }, dataDir, close: async () => rmSync(dataDir, { recursive: true, force: true }) };
}
