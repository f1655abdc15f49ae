import { App } from '@slack/bolt';
import { byId, disjoint } from '../../src/slack/listeners';

describe('listener routing', () => {
  it('hands a request to the handler of its id only, and ignores ids that are not own keys', async () => {
    const seen: string[] = [];
    const route = byId({ a: async () => void seen.push('a'), b: async () => void seen.push('b') }, (args) => (args.action as { action_id?: unknown }).action_id);
    for (const id of ['b', 'a', '__proto__', 'constructor', 'toString', 7, undefined]) await route({ action: { action_id: id } });
    expect(seen).toEqual(['b', 'a']);
  });

  it('registers one Bolt listener per surface, whatever the number of ids, and none for events', async () => {
    const { registerListeners } = await import('../../src/slack/listeners');
    const app = new App({ token: 'xoxb-test', signingSecret: 's', deferInitialization: true });
    registerListeners(app, {} as never);
    // Bolt walks every listener's middleware for every request (App.processEvent): keep them few.
    expect((app as unknown as { listeners: unknown[] }).listeners).toHaveLength(4);
  });

  it('a button or submission without an id reaches no handler and throws nothing (no edge in Socket Mode)', async () => {
    const { registerListeners } = await import('../../src/slack/listeners');
    const app = new App({ signingSecret: 's', authorize: async () => ({ botToken: 'xoxb-test', botId: 'B0BOT', botUserId: 'U0BOT' }) });
    registerListeners(app, {} as never);
    const errors: unknown[] = [];
    app.error(async (e) => void errors.push(e));
    const bodies = [
      { type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' }, actions: [{ type: 'button', block_id: 'b' }] },
      { type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' }, actions: [{ type: 'button', action_id: 7 }] },
      { type: 'view_submission', team: { id: 'T1' }, user: { id: 'U1' }, view: { id: 'V1', state: { values: {} } } },
    ];
    for (const body of bodies) {
      let acked = 0;
      await app.processEvent({ body, ack: async () => void (acked += 1) } as never);
      expect(acked).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('refuses an id wired twice instead of letting one handler win', () => {
    expect(disjoint({ a: 1 }, { b: 2 })).toEqual({ a: 1, b: 2 });
    expect(() => disjoint({ a: 1, c: 3 }, { c: 4 })).toThrow('handlers registered twice: c');
  });
});
