import { Background } from '../src/background';
import { createLogger } from '../src/logger';
import { LogCapture } from './helpers/app-harness';

describe('Background', () => {
  const make = () => {
    const logs = new LogCapture();
    return { logs, bg: new Background(createLogger({ level: 'debug', stream: logs })) };
  };

  it('starts work at once, does not wait for it, and idle() waits until it ends', async () => {
    const { bg } = make();
    let release!: () => void;
    const events: string[] = [];
    bg.run('slow', async () => {
      events.push('started');
      await new Promise<void>((r) => (release = r));
      events.push('done');
    });
    expect(events).toEqual(['started']);
    expect(bg.size).toBe(1);
    let idle = false;
    const waiting = bg.idle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toBe(false);
    release();
    await waiting;
    expect(events).toEqual(['started', 'done']);
    expect(bg.size).toBe(0);
  });

  it('logs a failure (thrown or rejected) with its fields, never throws it', async () => {
    const { bg, logs } = make();
    bg.run('post', async () => {
      throw new Error('channel_not_found');
    }, { team_id: 'T1' });
    bg.run('sync', () => {
      throw new Error('boom');
    });
    await bg.idle();
    const lines = logs.parsed();
    expect(lines.map((l) => [l.level, l.msg, l.team_id])).toEqual([
      [40, 'post failed', 'T1'],
      [40, 'sync failed', undefined],
    ]);
    expect((lines[0]?.err as { message: string }).message).toBe('channel_not_found');
  });
});
