import { App } from '@slack/bolt';
import { byId, exactly } from '../../src/slack/listeners';

describe('listener routing', () => {
  it('matches exactly the ids given, special characters included', () => {
    const re = exactly(['nudge_thread', '/async', 'a.b']);
    expect(['nudge_thread', '/async', 'a.b'].map((s) => re.test(s))).toEqual([true, true, true]);
    expect(['nudge_thread_x', 'xnudge_thread', 'aXb', '', '/asyncx'].map((s) => re.test(s))).toEqual([false, false, false, false, false]);
  });

  it('hands a request to the handler of its id only, and ignores ids that are not own keys', async () => {
    const seen: string[] = [];
    const route = byId({ a: async () => void seen.push('a'), b: async () => void seen.push('b') }, (args) => (args.action as { action_id?: unknown }).action_id);
    for (const id of ['b', 'a', '__proto__', 'constructor', 'toString', 7, undefined]) await route({ action: { action_id: id } });
    expect(seen).toEqual(['b', 'a']);
  });

  it('registers one Bolt listener per surface, whatever the number of ids', async () => {
    const { registerListeners } = await import('../../src/slack/listeners');
    const app = new App({ token: 'xoxb-test', signingSecret: 's', deferInitialization: true });
    registerListeners(app, {} as never);
    // Bolt walks every listener's middleware for every request (App.processEvent): keep them few.
    expect((app as unknown as { listeners: unknown[] }).listeners).toHaveLength(5);
  });
});
