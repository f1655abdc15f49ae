import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startService, type Service } from '../src/main';
import { createMetrics } from '../src/metrics';
import { LogCapture, SIGNING_SECRET } from './helpers/app-harness';
import { FakeSlack } from './helpers/fake-slack';
import { freshStore, type TestStore } from './helpers/store';

// Issue 11 row 1: whatever a step of stop() does (throws, never finishes), the store is closed,
// and stop() reports the failure instead of hiding it.

describe('stop() always closes the store', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await new FakeSlack().start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  async function start(stopDeadlineMs?: number): Promise<{ service: Service; store: TestStore; logs: LogCapture }> {
    const store = await freshStore();
    const logs = new LogCapture();
    const result = loadConfig({ SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });
    if (!result.ok) throw new Error(result.message);
    const service = await startService(
      { ...result.config, store: store.storeConfig },
      { logger: createLogger({ level: 'info', stream: logs }), store, metrics: createMetrics(), port: 0, metricsPort: 0, retryConfig: { retries: 0 }, ...(stopDeadlineMs !== undefined ? { stopDeadlineMs } : {}) },
    );
    return { service, store, logs };
  }

  it.each([
    ['the HTTP server', (s: Service) => s.slack],
    ['the history import', (s: Service) => s.backfill as { stop(): Promise<void> }],
    ['the digest schedule', (s: Service) => s.schedule as { stop(): Promise<void> }],
  ])('%s throwing on stop: the rest still stops, the store is closed, stop() rejects', async (_what, part) => {
    const { service, store, logs } = await start();
    const target = part(service);
    const realStop = target.stop.bind(target);
    target.stop = async () => {
      throw new Error('boom on stop');
    };
    try {
      await expect(service.stop()).rejects.toThrow('1 step(s) failed or overran; the store is closed');
      expect(await store.ping()).toBe(false);
      const lines = logs.parsed();
      expect(lines.some((l) => l.msg === 'stopped' && l.store === 'closed')).toBe(true);
      expect(lines.some((l) => String(l.msg).startsWith('stop: a step failed') && JSON.stringify(l.err).includes('boom on stop'))).toBe(true);
      if (target !== service.slack) {
        // The other steps ran: the HTTP server is closed.
        await expect(fetch(`http://127.0.0.1:${service.slack.port()}/healthz`)).rejects.toThrow();
      }
    } finally {
      await realStop();
      await store.close();
    }
  });

  it('a step that never finishes: the store is closed at the stop deadline', async () => {
    const { service, store, logs } = await start(500);
    const realStop = service.slack.stop.bind(service.slack);
    service.slack.stop = () => new Promise<void>(() => undefined);
    try {
      const started = Date.now();
      await expect(service.stop()).rejects.toThrow(AggregateError);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await store.ping()).toBe(false);
      expect(logs.parsed().some((l) => l.msg === 'stopped')).toBe(true);
      expect(logs.text()).toContain('HTTP server: still running at the stop deadline');
    } finally {
      await realStop();
      await store.close();
    }
  });

  it('a clean stop resolves and closes the store and the metrics listener', async () => {
    const { service, store } = await start();
    const metricsPort = service.metricsPort();
    expect((await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).status).toBe(200);
    await service.stop();
    expect(await store.ping()).toBe(false);
    await expect(fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).rejects.toThrow();
    await store.close();
  });
});
