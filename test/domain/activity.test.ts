import { changesFromEvent, parseMentions, toMessageRecord, toUserRecord, tsToDate, type SlackEvent } from '../../src/domain/activity';
import { fixture } from '../helpers/fixtures';

const CH = 'C0GENERAL1';
const msg = (extra: Record<string, unknown>): SlackEvent => ({ type: 'message', channel: CH, channel_type: 'channel', user: 'U0ANA00001', ts: '1700000000.000100', text: 'hi', ...extra }) as SlackEvent;
const kinds = (e: SlackEvent) => changesFromEvent(e).map((c) => c.kind);

describe('SPEC §2: which messages count', () => {
  it.each([
    ['a message with no subtype is a human message', msg({}), ['channel_seen', 'message']],
    ['subtype thread_broadcast is a human message', msg({ subtype: 'thread_broadcast', thread_ts: '1699999999.000001' }), ['channel_seen', 'message']],
    ['subtype file_share is a human message', msg({ subtype: 'file_share' }), ['channel_seen', 'message']],
    ['subtype me_message is a human message', msg({ subtype: 'me_message' }), ['channel_seen', 'message']],
    ['any other subtype (channel_join) is not', msg({ subtype: 'channel_join' }), []],
    ['channel_topic is not', msg({ subtype: 'channel_topic' }), []],
    ['an author with bot_id is a bot', msg({ bot_id: 'B1' }), []],
    ['"bot_id": null (as exports write it) is a person', msg({ bot_id: null }), ['channel_seen', 'message']],
    ['subtype bot_message is a bot', msg({ subtype: 'bot_message', user: undefined, bot_id: 'B1' }), []],
    ['USLACKBOT is a bot', msg({ user: 'USLACKBOT' }), []],
    ['a private channel is tracked', msg({ channel_type: 'group', channel: 'G0PRIVATE1' }), ['channel_seen', 'message']],
    ['DMs are never tracked', msg({ channel_type: 'im', channel: 'D0DM000001' }), []],
    ['group DMs are never tracked', msg({ channel_type: 'mpim', channel: 'G0MPIM0001' }), []],
    ['a message without an author is not counted', msg({ user: undefined }), []],
    ['a malformed ts is not counted', msg({ ts: 'yesterday' }), []],
    ['"subtype": null is no subtype: a human message', msg({ subtype: null }), ['channel_seen', 'message']],
    ['"text": null is a message without text, not an error', msg({ text: null }), ['channel_seen', 'message']],
    // Slack sends channel_type with every message event; a payload without it is read by the channel id.
    ['no channel_type, a C channel: tracked', msg({ channel_type: undefined }), ['channel_seen', 'message']],
    ['no channel_type, a G id (a legacy private channel, or a group DM): not tracked', msg({ channel_type: undefined, channel: 'G0MPDM0001' }), []],
    ['no channel_type, a D (DM) channel: never tracked', msg({ channel_type: undefined, channel: 'D0DM000001' }), []],
    ['no channel_type, an edit in a C channel re-evaluates it', msg({ channel_type: undefined, subtype: 'message_changed', ts: '1700000100.000001', user: undefined, message: { type: 'message', user: 'U0ANA00001', ts: '1700000000.000100', text: 'x' } }), ['channel_seen', 'message']],
    ['no channel_type, a deletion in a C channel removes it', msg({ channel_type: undefined, subtype: 'message_deleted', ts: '1700000200.000001', deleted_ts: '1700000000.000100', user: undefined }), ['channel_seen', 'message_removed']],
  ])('%s', (_name, event, expected) => {
    expect(kinds(event)).toEqual(expected);
  });

  it.each([
    ['root is ts when there is no thread_ts; not a reply', {}, { rootTs: '1700000000.000100', threadTs: null, isReply: false }],
    ['root is thread_ts; a reply when it differs from ts', { thread_ts: '1699999999.000001' }, { rootTs: '1699999999.000001', threadTs: '1699999999.000001', isReply: true }],
    ['a thread parent (thread_ts = ts) is not a reply', { thread_ts: '1700000000.000100' }, { rootTs: '1700000000.000100', threadTs: '1700000000.000100', isReply: false }],
  ])('%s', (_name, extra, expected) => {
    expect(toMessageRecord(msg(extra) as never, CH)).toMatchObject(expected);
  });

  it('message_changed re-evaluates the message (an edit)', () => {
    const changes = changesFromEvent(msg({ subtype: 'message_changed', ts: '1700000100.000001', user: undefined, message: { type: 'message', user: 'U0ANA00001', ts: '1700000000.000100', text: '<@U0BEN00001>', edited: { ts: '1700000100.000000' } } }));
    expect(changes[1]).toMatchObject({ kind: 'message', edit: true, message: { ts: '1700000000.000100', mentions: ['U0BEN00001'], editedTs: '1700000100.000000' } });
  });

  it('message_changed into a tombstone removes it', () => {
    const changes = changesFromEvent(msg({ subtype: 'message_changed', ts: '1700000100.000001', message: { type: 'message', subtype: 'tombstone', user: 'USLACKBOT', ts: '1700000000.000100', text: 'This message was deleted.' } }));
    expect(changes[1]).toMatchObject({ kind: 'message_removed', ts: '1700000000.000100' });
  });

  it('message_deleted removes the message named by deleted_ts', () => {
    const changes = changesFromEvent(msg({ subtype: 'message_deleted', ts: '1700000200.000001', deleted_ts: '1700000000.000100', user: undefined }));
    expect(changes[1]).toEqual({ kind: 'message_removed', channelId: CH, ts: '1700000000.000100', at: new Date(1700000200000) });
  });
});

describe('mentions', () => {
  it.each([
    ['plain mention', 'hi <@U0BEN00001>', ['U0BEN00001']],
    ['labelled mention', 'hi <@U0BEN00001|ben>', ['U0BEN00001']],
    ['enterprise W id', 'hi <@W0ENT00001>', ['W0ENT00001']],
    ['short ids, as hand-made exports and tests write them', '<@U1> and <@U2|bo>', ['U1', 'U2']],
    ['not a lower-case or empty id', '<@u1> <@U> <@Uab>', []],
    ['distinct, in order of first appearance', '<@U2AAAA> <@U1AAAA> <@U2AAAA|two>', ['U2AAAA', 'U1AAAA']],
    ['not channels, groups or specials', '<#C0GENERAL1|general> <!here> <!subteam^S123|team> <!channel>', []],
    ['not a bare @name', '@ben can you look', []],
    ['no text', undefined, []],
    ['"text": null', null, []],
  ])('%s', (_name, text, expected) => {
    expect(parseMentions(text)).toEqual(expected);
  });
});

describe('tsToDate', () => {
  it.each([
    ['1663966382.046509', '2022-09-23T20:53:02.046Z'],
    ['1663966382.999999', '2022-09-23T20:53:02.999Z'],
    ['1663966382', '2022-09-23T20:53:02.000Z'],
    ['1663966382.5', '2022-09-23T20:53:02.500Z'],
  ])('%s → %s (millisecond precision, truncated)', (ts, iso) => {
    expect(tsToDate(ts)?.toISOString()).toBe(iso);
  });
  it.each(['', 'abc', '1.2.3', '-1'])('rejects %j', (ts) => expect(tsToDate(ts)).toBeNull());
});

describe('other events', () => {
  it('reaction_added and reaction_removed carry the event time', () => {
    const e = { type: 'reaction_added', user: 'U0ANA00001', reaction: 'eyes', item: { type: 'message', channel: CH, ts: '1700000000.000100' }, event_ts: '1700000300.000200' } as SlackEvent;
    expect(changesFromEvent(e)).toEqual([{ kind: 'reaction', channelId: CH, messageTs: '1700000000.000100', userId: 'U0ANA00001', reaction: 'eyes', at: new Date(1700000300000), removed: false }]);
    expect(changesFromEvent({ ...e, type: 'reaction_removed' })[0]).toMatchObject({ removed: true });
    expect(changesFromEvent({ ...e, item: { type: 'file', file: 'F1' } } as SlackEvent)).toEqual([]);
  });
  it('member_joined_channel records membership (C and G channels only)', () => {
    const e = { type: 'member_joined_channel', user: 'U0NEW00001', channel: CH, channel_type: 'C', event_ts: '1700000400.000000' } as SlackEvent;
    expect(kinds(e)).toEqual(['channel_seen', 'member_joined']);
    expect(kinds({ ...e, channel_type: 'D' } as SlackEvent)).toEqual([]);
  });
  it('user_change carries the directory facts; Slackbot counts as a bot', () => {
    const e = { type: 'user_change', user: { id: 'U0BEN00001', team_id: 'T1', tz: 'Europe/Berlin', deleted: true, is_owner: true, profile: { display_name: '', real_name: 'Ben' } } } as SlackEvent;
    expect(changesFromEvent(e)).toEqual([
      { kind: 'user', user: { userId: 'U0BEN00001', userTeamId: 'T1', displayName: 'Ben', tz: 'Europe/Berlin', isBot: false, isAppUser: false, deleted: true, isAdmin: false, isOwner: true, isPrimaryOwner: false, isRestricted: false } },
    ]);
    expect(toUserRecord({ id: 'USLACKBOT', tz: '' })).toMatchObject({ isBot: true, tz: null });
  });
  it.each(['channel_rename', 'group_rename'])('%s renames', (type) => {
    expect(changesFromEvent({ type, channel: { id: CH, name: 'new-name' } } as SlackEvent)).toEqual([{ kind: 'channel_renamed', channelId: CH, name: 'new-name' }]);
  });
  it('ignores events it does not track', () => {
    expect(changesFromEvent({ type: 'app_home_opened' } as SlackEvent)).toEqual([]);
  });
});

describe("real payloads captured from Slack (test/fixtures/slack-web)", () => {
  const ev = (name: string) => fixture<{ event: SlackEvent }>('slack-web', 'events', `${name}.json`).event;
  it.each([
    ['messageExample', ['channel_seen', 'message']],
    ['messageChange', ['channel_seen', 'message']],
    ['message_deleted', ['channel_seen', 'message_removed']],
    ['joinChannel', []],
    ['botMessage', []],
    ['message_subtype_bot_message', []],
    ['messageIm', []],
    ['message_file_share', []],
  ])('%s → %j', (name, expected) => {
    expect(kinds(ev(name))).toEqual(expected);
  });
  it('never puts text in a record', () => {
    const all = ['messageExample', 'messageChange', 'message_deleted'].flatMap((n) => changesFromEvent(ev(n)));
    expect(JSON.stringify(all)).not.toMatch(/dgsfklsdgf|asdfhlkfasdlhsdf|will be deleted|jadeapptesting/);
  });
});
