import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseDay, type DayFormat, type ParsedDay } from './export-parse';
import { ExportError } from './export-reader';

/** A day file sent to a parse worker. */
export type ParseRequest = { id: number; path: string; channelId: string; bytes: Uint8Array };
/** A parse worker's answer: the parsed day, the problem with the file, or an unexpected failure. */
export type ParseReply = { id: number; ok: true; day: ParsedDay } | { id: number; ok: false; problem: string } | { id: number; ok: false; error: string };

/** Parses day files (parseDay), in this thread or in worker threads; answers come back per call. */
export type DayParser = {
  parse(path: string, bytes: Uint8Array, channelId: string): Promise<ParsedDay>;
  /** Stops the workers; parses still waiting fail. */
  close(): Promise<void>;
};

/**
 * Parse threads for an export of `files` day files: none for a small export (starting threads
 * costs more than it saves), else one per core beside the one importing, 1 or 2. Each thread
 * holds its own copy of the classifier and adds 30-55 MB of RSS: two keep a 1M-message import
 * under 300 MB.
 */
export function defaultParseWorkers(files: number): number {
  if (files < 64) return 0;
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

// A worker runs the compiled .js beside this file, or the .ts source through tsx (npm run, tests).
const BOOT = `const { workerData } = require('node:worker_threads');
if (workerData.tsx) require(workerData.tsx);
require(workerData.file);`;

/** Parses in this thread when workers is 0, else in that many worker threads (each file to the least busy). */
export function startDayParser(workers: number, format: DayFormat): DayParser {
  if (workers <= 0) return { parse: async (path, bytes, channelId) => parseDay(path, bytes, channelId, format), close: async () => undefined };

  const ext = extname(__filename);
  const file = join(__dirname, `export-parse-worker${ext}`);
  const tsx = ext === '.ts' ? require.resolve('tsx/cjs') : null;
  type Waiting = { path: string; thread: number; resolve: (d: ParsedDay) => void; reject: (e: Error) => void };
  const waiting = new Map<number, Waiting>();
  const busy = new Array<number>(workers).fill(0);
  let nextId = 0;
  let broken: Error | null = null;
  let closing = false;

  const failAll = (err: Error) => {
    broken ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  const threads = Array.from({ length: workers }, () => {
    const t = new Worker(BOOT, { eval: true, workerData: { file, tsx, format } });
    t.on('message', (r: ParseReply) => {
      const w = waiting.get(r.id);
      if (w === undefined) return;
      waiting.delete(r.id);
      busy[w.thread] = (busy[w.thread] ?? 1) - 1;
      if (r.ok) {
        // Dates come out of a structured clone in this thread's main realm; a caller in another
        // realm (a vm context, as under jest) must get its own, or `instanceof Date` fails there.
        for (const rec of r.day.records ?? []) rec.postedAt = new Date(rec.postedAt.getTime());
        w.resolve(r.day);
      }
      else if ('problem' in r) w.reject(new ExportError(w.path, r.problem));
      else w.reject(new Error(`parsing ${w.path} failed: ${r.error}`));
    });
    t.on('error', (err) => failAll(err));
    t.on('exit', (code) => {
      if (!closing) failAll(new Error(`a parse worker stopped (exit code ${code})`));
    });
    return t;
  });

  return {
    parse(path, bytes, channelId) {
      if (broken !== null) return Promise.reject(broken);
      let thread = 0;
      for (let i = 1; i < workers; i += 1) if ((busy[i] as number) < (busy[thread] as number)) thread = i;
      const id = (nextId += 1);
      // Handed over without a copy when the bytes own their whole buffer (a file read), else copied.
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
      return new Promise<ParsedDay>((resolve, reject) => {
        waiting.set(id, { path, thread, resolve, reject });
        busy[thread] = (busy[thread] as number) + 1;
        const req: ParseRequest = { id, path, channelId, bytes: owned };
        (threads[thread] as Worker).postMessage(req, [owned.buffer as ArrayBuffer]);
      });
    },
    async close() {
      closing = true;
      failAll(new Error('the day-file parser was closed'));
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}
