import { createInterface } from 'node:readline';
import { classify } from '../domain/classify';
import { onlyHelp, runCli } from './common';

const USAGE = 'usage: npm run classify < messages.txt (one message per line, "\\n" for a newline in one; one JSON line out per line in)';

/**
 * npm run classify: one message per stdin line → one JSON line each:
 * {"meeting_request", "where_is", "question", "score", "signals"}. "\n" in a line stands for a newline.
 */
runCli(async () => {
  if (onlyHelp(USAGE)) return 0;
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    const c = classify(line.replace(/\\n/g, '\n'));
    process.stdout.write(`${JSON.stringify({ meeting_request: c.meeting_request, where_is: c.where_is, question: c.question, score: c.score, signals: c.signals })}\n`);
  }
  return 0;
});
