import { API_RETRY } from '../../src/slack/app';
import { startTestApp } from '../helpers/app-harness';

describe('rate limits', () => {
  it('a 429 from users.info is waited out (Retry-After) and the directory still fills', async () => {
    const t = await startTestApp({ users: [{ id: 'U0ANA00001', tz: 'Asia/Tokyo' }], logLevel: 'warn', retryConfig: API_RETRY });
    try {
      t.fake.rateLimit('users.info', 1, 1);
      const ts = `${Math.floor(Date.now() / 1000) - 3600}.000001`;
      expect((await t.sendEvent({ type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: 'U0ANA00001', ts, event_ts: ts, text: 'hello' })).status).toBe(200);
      await t.service.idle();
      const calls = t.fake.callsTo('users.info');
      expect(calls).toHaveLength(2);
      expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
      expect(await t.store.db.selectFrom('users').select(['user_id', 'tz']).execute()).toEqual([{ user_id: 'U0ANA00001', tz: 'Asia/Tokyo' }]);
    } finally {
      await t.stop();
      await t.store.close();
    }
  });
});
