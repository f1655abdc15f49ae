import { parentPort, workerData } from 'node:worker_threads';
import { ExportError } from './export-reader';
import { parseDay, type DayFormat } from './export-parse';
import type { ParseReply, ParseRequest } from './export-parse-pool';

/** A parse worker: day files in (bytes transferred), parsed days out (COPY rows transferred), in the order asked. */
const port = parentPort;
if (port === null) throw new Error('export-parse-worker runs as a worker thread');
const format = (workerData as { format: DayFormat }).format;

port.on('message', (job: ParseRequest) => {
  let reply: ParseReply;
  try {
    const day = parseDay(job.path, job.bytes, job.channelId, format);
    reply = { id: job.id, ok: true, day };
    port.postMessage(reply, day.copy ? [day.copy.buffer as ArrayBuffer] : []);
    return;
  } catch (err) {
    reply = err instanceof ExportError ? { id: job.id, ok: false, problem: err.problem } : { id: job.id, ok: false, error: String((err as Error)?.stack ?? err) };
  }
  port.postMessage(reply);
});
