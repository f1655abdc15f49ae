import { Background, BatchedWork } from '../src/background';
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

describe('BatchedWork', () => {
  const logger = () => {
    const logs = new LogCapture();
    return { logs, logger: createLogger({ level: 'debug', stream: logs }) };
  };

  it('hands over what arrived while the previous batch was handled, in order, at most `batch` at a time', async () => {
    const { logger: log } = logger();
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const work = new BatchedWork<number>(log, 'test', async (items) => {
      batches.push(items);
      if (batches.length === 1) await first;
    }, { batch: 3, max: 100 });
    work.add(1);
    for (let i = 2; i <= 8; i += 1) work.add(i);
    release();
    await work.idle();
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7], [8]]);
  });

  it('drops beyond `max` waiting (counted, logged once), and goes on after a failing batch', async () => {
    const { logs, logger: log } = logger();
    const seen: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const work = new BatchedWork<number>(log, 'test work', async (items) => {
      seen.push(...items);
      if (items[0] === 0) await held;
      if (items.includes(2)) throw new Error('boom');
    }, { batch: 2, max: 4 });
    work.add(0);
    for (let i = 1; i <= 6; i += 1) work.add(i);
    expect(work.dropped).toBe(2);
    release();
    await work.idle();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    const text = logs.text();
    expect(text).toContain('test work dropped: too much work waiting');
    expect(text).toContain('test work failed');
    // After all that, it still takes work.
    work.add(9);
    await work.idle();
    expect(seen).toEqual([0, 1, 2, 3, 4, 9]);
  });

  it('with a share below 1, rests after each batch so that it works at most that share of the time', async () => {
    const { logger: log } = logger();
    const starts: number[] = [];
    const work = new BatchedWork<number>(log, 'test', async () => {
      starts.push(performance.now());
      const until = performance.now() + 20;
      while (performance.now() < until) {
        // a batch that holds the event loop for 20 ms
      }
    }, { batch: 1, max: 10, share: 0.25 });
    for (let i = 0; i < 3; i += 1) work.add(i);
    await work.idle();
    expect(starts).toHaveLength(3);
    // 20 ms of work, then 20 × (1 / 0.25 − 1) = 60 ms of rest before the next batch.
    for (let i = 1; i < starts.length; i += 1) expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeGreaterThanOrEqual(75);
  });
});
