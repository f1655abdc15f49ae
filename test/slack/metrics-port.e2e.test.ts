import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { MetricsListenError, startService } from '../../src/main';
import { createMetrics } from '../../src/metrics';
import { LogCapture, SIGNING_SECRET, startTestApp, type TestApp } from '../helpers/app-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { freshStore } from '../helpers/store';

// Issue 11 row 11: /metrics answered anyone on the public port. Now it has a listener of its own
// (METRICS_PORT on METRICS_HOST, default 127.0.0.1); the public port keeps it (SPEC §7) for this
// machine only (a loopback peer, not relayed by a proxy) unless a METRICS_TOKEN is set (then it,
// like the metrics listener, needs the bearer token from anywhere).

/** A non-loopback IPv4 address of this machine, if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

describe('metrics without a token: their own listener on 127.0.0.1; on the public port for this machine only', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ logLevel: 'info' });
    await t.sendEvent({ type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: 'U0ANA00001', ts: '1700000000.000100', event_ts: '1700000000.000100', text: 'hello' });
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  it('the public port answers GET /metrics only to this machine (SPEC §7): 200 from loopback, 404 through a proxy or from another address', async () => {
    const local = await t.get('/metrics');
    expect(local.status).toBe(200);
    expect(await local.text()).toMatch(/^async_charter_events_stored_total\{type="message"\} 1$/m);
    const relays: Array<Record<string, string>> = [{ 'x-forwarded-for': '203.0.113.7' }, { forwarded: 'for=203.0.113.7' }, { 'x-real-ip': '203.0.113.7' }, { 'x-forwarded-host': 'bot.example.com' }];
    for (const header of relays) {
      const relayed = await fetch(`${t.baseUrl}/metrics`, { headers: header });
      expect(relayed.status).toBe(404);
      expect(await relayed.text()).not.toContain('async_charter_');
    }
    const outside = outsideAddress();
    // On a machine with an address besides loopback (this one has), a request to it is not local.
    if (outside !== undefined) {
      const remote = await fetch(`http://${outside}:${String(t.service.slack.port())}/metrics`);
      expect(remote.status).toBe(404);
      expect(await remote.text()).not.toContain('async_charter_');
      expect((await fetch(`http://${outside}:${String(t.service.slack.port())}/healthz`)).status).toBe(200);
    }
    expect((await t.get('/healthz')).status).toBe(200);
  });

  it('the metrics listener answers GET /metrics 200 with Prometheus text, and nothing else', async () => {
    const port = t.service.metricsPort();
    expect(port).not.toBeNull();
    expect(port).not.toBe(t.service.slack.port());
    const res = await t.metrics();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(/^async_charter_events_stored_total\{type="message"\} 1$/m);
    expect((await fetch(`http://127.0.0.1:${String(port)}/healthz`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${String(port)}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('listens on 127.0.0.1 only (the start-up line says where)', async () => {
    const running = t.logs.parsed().find((l) => l.msg === 'Async Charter is running');
    expect(running?.metrics).toBe(`127.0.0.1:${String(t.service.metricsPort())}`);
    const outside = outsideAddress();
    // On a machine with a network interface besides loopback, that address does not reach it.
    if (outside !== undefined) await expect(fetch(`http://${outside}:${String(t.service.metricsPort())}/metrics`)).rejects.toThrow();
  });
});

describe('metrics with METRICS_TOKEN: the bearer token is required wherever /metrics is served', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ logLevel: 'warn', env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  it.each([
    ['the metrics listener', () => `http://127.0.0.1:${String(t.service.metricsPort())}/metrics`],
    ['the public port', () => `${t.baseUrl}/metrics`],
  ])('%s: 401 without the token or with another, 200 with it', async (_where, url) => {
    const none = await fetch(url());
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.text()).not.toContain('async_charter_');
    expect((await fetch(url(), { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await fetch(url(), { headers: { authorization: TOKEN } })).status).toBe(401);
    const ok = await fetch(url(), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('async_charter_events_stored_total');
  });
});

describe('the metrics port in use', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await new FakeSlack().start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  async function start(metrics: { port: number; explicit: boolean }) {
    const store = await freshStore();
    const logs = new LogCapture();
    const result = loadConfig({ SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });
    if (!result.ok) throw new Error(result.message);
    const config = { ...result.config, store: store.storeConfig, metrics: { ...result.config.metrics, ...metrics } };
    const started = startService(config, { logger: createLogger({ level: 'info', stream: logs }), store, metrics: createMetrics(), port: 0, retryConfig: { retries: 0 }, jobs: false });
    return { started, store, logs };
  }

  it('set in METRICS_PORT: the start fails with a clear error, and the store is closed', async () => {
    const held = await occupy();
    try {
      const { started, store } = await start({ port: held.port, explicit: true });
      await expect(started).rejects.toThrow(MetricsListenError);
      await expect(started).rejects.toThrow(`cannot listen for metrics on 127.0.0.1:${held.port}`);
      expect(await store.ping()).toBe(false);
    } finally {
      held.server.close();
    }
  });

  it('the default port: a warning, and the app runs without a metrics listener', async () => {
    const held = await occupy();
    try {
      const { started, store, logs } = await start({ port: held.port, explicit: false });
      const service = await started;
      try {
        expect(service.metricsPort()).toBeNull();
        expect(logs.parsed().some((l) => l.level === 40 && String(l.msg).startsWith('the default metrics port is in use'))).toBe(true);
        expect((await fetch(`http://127.0.0.1:${service.slack.port()}/healthz`)).status).toBe(200);
      } finally {
        await service.stop();
        await store.close();
      }
    } finally {
      held.server.close();
    }
  });
});
