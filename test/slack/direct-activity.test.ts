import { ignoreSelf } from '@slack/bolt';
import fc from 'fast-check';
import { isOwnEvent, type BotSelf } from '../../src/slack/listeners/events';

/**
 * Activity events reach the ingest straight from the HTTP edge, not through Bolt, so Bolt's ignoreSelf
 * middleware no longer runs on them; isOwnEvent must give its verdict. Both are asked here, Bolt's own
 * middleware called as Bolt calls it (context with the bot's ids, `message` beside `event` for messages).
 */
async function boltDrops(event: Record<string, unknown>, self: BotSelf): Promise<boolean> {
  let passed = false;
  const args = {
    context: { botId: self.botId ?? undefined, botUserId: self.botUserId ?? undefined },
    event,
    payload: event,
    ...(event.type === 'message' ? { message: event } : {}),
    next: async () => {
      passed = true;
    },
  };
  await (ignoreSelf as (a: unknown) => Promise<void>)(args);
  return !passed;
}

const SELF: BotSelf = { botId: 'B0BOT00001', botUserId: 'U0BOT00001' };
const TYPES = ['message', 'reaction_added', 'reaction_removed', 'member_joined_channel', 'member_left_channel', 'user_change', 'channel_rename', 'group_rename'];

describe('isOwnEvent: the verdict of Bolt ignoreSelf', () => {
  const cases: Array<[string, Record<string, unknown>, BotSelf, boolean]> = [
    ['a person\'s message', { type: 'message', user: 'U0ANA00001' }, SELF, false],
    ['the bot user\'s message', { type: 'message', user: SELF.botUserId, bot_id: SELF.botId }, SELF, true],
    ['its bot_message', { type: 'message', subtype: 'bot_message', bot_id: SELF.botId }, SELF, true],
    ['another bot\'s bot_message', { type: 'message', subtype: 'bot_message', bot_id: 'B0OTHER001' }, SELF, false],
    ['its reaction', { type: 'reaction_added', user: SELF.botUserId }, SELF, true],
    ['its reaction removed', { type: 'reaction_removed', user: SELF.botUserId }, SELF, true],
    ['its join', { type: 'member_joined_channel', user: SELF.botUserId }, SELF, false],
    ['a user_change (user is an object)', { type: 'user_change', user: { id: SELF.botUserId } }, SELF, false],
    ['a bot_message without bot_id, the bot without one', { type: 'message', subtype: 'bot_message' }, { botId: null, botUserId: SELF.botUserId }, true],
    ['its message, the bot user unknown', { type: 'message', user: SELF.botUserId }, { botId: SELF.botId, botUserId: null }, false],
  ];
  it.each(cases)('%s', async (_name, event, self, dropped) => {
    expect(isOwnEvent(event, self)).toBe(dropped);
    expect(await boltDrops(event, self)).toBe(dropped);
  });

  it('agrees with Bolt on generated events', async () => {
    const id = fc.constantFrom(undefined, SELF.botUserId, SELF.botId, 'U0ANA00001', 'B0OTHER001');
    const event = fc.record(
      { type: fc.constantFrom(...TYPES), subtype: fc.constantFrom(undefined, 'bot_message', 'message_changed', 'thread_broadcast'), user: id, bot_id: id },
      { requiredKeys: ['type'] },
    );
    const self = fc.record({ botId: fc.constantFrom(null, SELF.botId, 'B0OTHER001'), botUserId: fc.constantFrom(null, SELF.botUserId) });
    await fc.assert(
      fc.asyncProperty(event, self, async (e, s) => {
        expect(isOwnEvent(e, s)).toBe(await boltDrops(e, s));
      }),
      { numRuns: 2000 },
    );
  });
});
