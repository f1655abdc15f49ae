import { connect } from 'node:net';
import { STOP_GRACE_MS } from '../../src/slack/app';
import { startTestApp } from '../helpers/app-harness';

// Issue 11 row 1: a client that sends half a body does not hold the stop beyond the grace period.
it('a half-sent body does not hold stop() beyond the grace period', async () => {
  const t = await startTestApp({ logLevel: 'warn' });
  const url = new URL(t.baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write('POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":"ev');
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  await t.stop();
  const took = Date.now() - started;
  socket.destroy();
  await t.store.close();
  expect(took).toBeLessThan(STOP_GRACE_MS + 2_000);
}, 30_000);
