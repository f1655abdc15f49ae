import { App, HTTPReceiver } from '@slack/bolt';
import { SIGNING_SECRET } from '../test/helpers/app-harness';

/**
 * The ingest bench's baseline, in a process of its own (as the app has one): a bare Bolt app whose
 * message listener only acks. Argv: slackApiUrl token. Prints {"port": N} once listening; stops on SIGTERM.
 */
async function main(): Promise<void> {
  const [apiUrl, token] = process.argv.slice(2);
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, processBeforeResponse: true, endpoints: ['/slack/events'] });
  const bare = new App({ token: token ?? '', receiver, clientOptions: { slackApiUrl: apiUrl ?? '' } });
  bare.event('message', async () => undefined);
  const server = (await bare.start(0)) as { address(): { port: number } };
  process.on('SIGTERM', () => void bare.stop().then(() => process.exit(0)));
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
}

void main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
