import type { Charter } from '../../src/domain/charter';
import { makeCharter } from '../helpers/charter';
import { computeRequests, outcomeAt, type Msg, type Person, type Reaction, type RequestRecord } from '../../src/domain/requests';

const charter = makeCharter;
/** Monday 2026-11-23, UTC. */
const MON = Date.UTC(2026, 10, 23);
const H = 3_600_000;
const MIN = 60_000;
/** Slack ts for an instant plus a sequence number (distinct microseconds). */
const ts = (t: number, seq = 0) => `${Math.floor(t / 1000)}.${String((t % 1000) * 1000 + seq).padStart(6, '0')}`;

const A = 'UAAAAAAAA1';
const B = 'UBBBBBBBB1';
const C = 'UCCCCCCCC1';
const BOT = 'UBOTBOTBO1';
const APP = 'UAPPAPPAP1';
const GONE = 'UGONEGONE1';
const CH = 'C0CHANNEL1';
const CH2 = 'C0CHANNEL2';

const people = new Map<string, Person>([
  [A, { tz: 'UTC', isBot: false, deleted: false }],
  [B, { tz: 'UTC', isBot: false, deleted: false }],
  [C, { tz: 'Asia/Tokyo', isBot: false, deleted: false }],
  [BOT, { tz: null, isBot: true, deleted: false }],
  [APP, { tz: null, isBot: true, deleted: false }],
  [GONE, { tz: 'UTC', isBot: false, deleted: true }],
]);

let seq = 0;
function msg(user: string, t: number, opts: { mentions?: string[]; channel?: string; root?: string } = {}): Msg {
  seq += 1;
  const own = ts(t, seq);
  return { channel: opts.channel ?? CH, ts: own, at: t, rootTs: opts.root ?? own, isReply: opts.root !== undefined && opts.root !== own, user, mentions: opts.mentions ?? [] };
}

function run(messages: Msg[], opts: { asOf?: number; reactions?: Reaction[]; charter?: Charter } = {}): RequestRecord[] {
  return computeRequests({ charter: opts.charter ?? charter(), messages, reactions: opts.reactions ?? [], people, appUserIds: new Set([APP]), asOf: opts.asOf ?? MON + 30 * 24 * H });
}

describe('SPEC §4: requests, one case per sentence', () => {
  it('a request is (M, U) for each distinct user mentioned in a human message', () => {
    const m = msg(A, MON + 10 * H, { mentions: [B, C] });
    expect(run([m]).map((r) => [r.ts, r.recipient])).toEqual([
      [m.ts, B],
      [m.ts, C],
    ]);
  });

  it.each([
    ['U must be a person the workspace knows', 'UNKNOWN001'],
    ['U must not be the author', A],
    ['U must not be a bot', BOT],
    ['U must not be the app itself', APP],
    ['U must not be deactivated', GONE],
  ])('%s', (_name, who) => {
    expect(run([msg(A, MON + 10 * H, { mentions: [who] })])).toEqual([]);
  });

  it('asked_at is M.ts and the requester is the author', () => {
    const [r] = run([msg(A, MON + 10 * H, { mentions: [B] })]);
    expect(r).toMatchObject({ askedAt: MON + 10 * H, requester: A, recipient: B });
  });

  it('a request in an urgent channel is urgent; elsewhere it is normal', () => {
    const c = charter({ urgent_channels: [CH2] });
    const rs = run([msg(A, MON + 10 * H, { mentions: [B] }), msg(A, MON + 10 * H, { mentions: [B], channel: CH2 })], { charter: c });
    expect(rs.map((r) => [r.channel, r.urgent])).toEqual([
      [CH, false],
      [CH2, true],
    ]);
  });

  it("a channel's override can make it urgent and change its windows", () => {
    const c = charter({ channel_overrides: { [CH]: { urgent: true, response_windows: { urgent: { minutes: 15 } } } } });
    const [r] = run([msg(A, MON + 10 * H, { mentions: [B] })], { charter: c });
    expect(r).toMatchObject({ urgent: true, dueAt: MON + 10 * H + 15 * MIN });
  });

  it('response 1: a later message by U with the same root (a thread reply)', () => {
    const m = msg(A, MON + 10 * H, { mentions: [B] });
    const [r] = run([m, msg(B, MON + 11 * H, { root: m.ts })]);
    expect(r?.respondedAt).toBe(MON + 11 * H);
  });

  it('response 2: when M is top-level, a later top-level message by U in the same channel', () => {
    const [r] = run([msg(A, MON + 10 * H, { mentions: [B] }), msg(B, MON + 12 * H)]);
    expect(r?.respondedAt).toBe(MON + 12 * H);
  });

  it('when M is a thread reply, a top-level message by U does not answer it', () => {
    const root = msg(C, MON + 9 * H);
    const [r] = run([root, msg(A, MON + 10 * H, { mentions: [B], root: root.ts }), msg(B, MON + 11 * H)]);
    expect(r?.respondedAt).toBeNull();
  });

  it('a message by U in another channel does not answer', () => {
    const [r] = run([msg(A, MON + 10 * H, { mentions: [B] }), msg(B, MON + 11 * H, { channel: CH2 })]);
    expect(r?.respondedAt).toBeNull();
  });

  it('a message by U before M does not answer it', () => {
    const earlier = msg(B, MON + 9 * H);
    const [r] = run([earlier, msg(A, MON + 10 * H, { mentions: [B] })]);
    expect(r?.respondedAt).toBeNull();
  });

  it('response 3: a reaction by U on M, when reactions count', () => {
    const m = msg(A, MON + 10 * H, { mentions: [B] });
    const reactions = [{ channel: CH, messageTs: m.ts, user: B, at: MON + 10.5 * H }];
    expect(run([m], { reactions })[0]?.respondedAt).toBe(MON + 10.5 * H);
    expect(run([m], { reactions, charter: charter({ reactions_count_as_response: false }) })[0]?.respondedAt).toBeNull();
  });

  it('a reaction timed before M, or in its very millisecond, is not later than M: no response (SPEC §4)', () => {
    const m = msg(A, MON + 10 * H, { mentions: [B] });
    for (const at of [MON + 9 * H, MON + 10 * H]) expect(run([m], { reactions: [{ channel: CH, messageTs: m.ts, user: B, at }] })[0]?.respondedAt).toBeNull();
    expect(run([m], { reactions: [{ channel: CH, messageTs: m.ts, user: B, at: MON + 10 * H + 1 }] })[0]?.respondedAt).toBe(MON + 10 * H + 1);
    // The first reaction later than M, though an earlier one came first.
    expect(run([m], { reactions: [{ channel: CH, messageTs: m.ts, user: B, at: MON + 9 * H }, { channel: CH, messageTs: m.ts, user: B, at: MON + 11 * H }] })[0]?.respondedAt).toBe(MON + 11 * H);
  });

  it("another person's reaction does not answer", () => {
    const m = msg(A, MON + 10 * H, { mentions: [B] });
    expect(run([m], { reactions: [{ channel: CH, messageTs: m.ts, user: C, at: MON + 10.5 * H }] })[0]?.respondedAt).toBeNull();
  });

  it('the response is the earliest of the three', () => {
    const m = msg(A, MON + 10 * H, { mentions: [B] });
    const [r] = run([m, msg(B, MON + 13 * H), msg(B, MON + 12 * H, { root: m.ts })], { reactions: [{ channel: CH, messageTs: m.ts, user: B, at: MON + 14 * H }] });
    expect(r?.respondedAt).toBe(MON + 12 * H);
  });

  it('due, normal: when U’s working minutes since asked_at reach working_minutes (U’s own tz)', () => {
    // Monday 10:00 UTC is 19:00 in Tokyo: C's clock starts Tuesday 09:00 JST (Tuesday 00:00 UTC).
    const [toB, toC] = run([msg(A, MON + 10 * H, { mentions: [B, C] })]);
    expect(toB?.dueAt).toBe(MON + 24 * H + 10 * H);
    expect(toC?.dueAt).toBe(MON + 24 * H + 8 * H);
  });

  it('due, urgent: asked_at + minutes of wall clock', () => {
    const [r] = run([msg(A, MON + 22 * H, { mentions: [B] })], { charter: charter({ urgent_channels: [CH] }) });
    expect(r?.dueAt).toBe(MON + 23 * H);
  });

  it('latency, normal: U’s working minutes from asked_at to the response', () => {
    const m = msg(A, MON + 16 * H, { mentions: [B] });
    const [r] = run([m, msg(B, MON + 24 * H + 10 * H, { root: m.ts })]);
    expect(r?.latencyMinutes).toBe(120);
  });

  it('latency, urgent: wall-clock minutes', () => {
    const m = msg(A, MON + 16 * H, { mentions: [B] });
    const [r] = run([m, msg(B, MON + 24 * H + 10 * H, { root: m.ts })], { charter: charter({ urgent_channels: [CH] }) });
    expect(r?.latencyMinutes).toBe(18 * 60);
  });

  it('only data up to as_of is considered: a later answer and later requests do not exist yet', () => {
    const m = msg(A, MON + 10 * H, { mentions: [B] });
    const rs = run([m, msg(B, MON + 12 * H, { root: m.ts }), msg(A, MON + 13 * H, { mentions: [B] })], { asOf: MON + 11 * H });
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ respondedAt: null, outcome: 'pending' });
  });

  it.each([
    ['on_time: responded, response <= due', MON + 18 * H, MON + 20 * H, 'on_time'],
    ['on_time at the due instant exactly', MON + 20 * H, MON + 20 * H, 'on_time'],
    ['late: responded, response > due', MON + 21 * H, MON + 22 * H, 'late'],
    ['overdue: no response, as_of > due', null, MON + 20 * H + 1, 'overdue'],
    ['pending: no response, as_of <= due', null, MON + 20 * H, 'pending'],
    ['a response after as_of is no response yet', MON + 21 * H, MON + 20 * H + 1, 'overdue'],
  ])('outcome %s', (_name, responded, asOf, expected) => {
    expect(outcomeAt(responded, MON + 20 * H, asOf)).toBe(expected);
  });

  it('an off-hours request is one asked outside U’s working hours', () => {
    const rs = run([msg(A, MON + 10 * H, { mentions: [B, C] })]);
    expect(rs.map((r) => [r.recipient, r.offHours])).toEqual([
      [B, false],
      [C, true],
    ]);
  });

  describe('early follow-ups', () => {
    it('a re-ping in the same thread before the first request is due or answered', () => {
      const m1 = msg(A, MON + 10 * H, { mentions: [B] });
      const rs = run([m1, msg(A, MON + 11 * H, { mentions: [B], root: m1.ts })]);
      expect(rs.map((r) => r.earlyFollowup)).toEqual([false, true]);
    });
    it('a re-ping top-level in the same channel (both top-level)', () => {
      const rs = run([msg(A, MON + 10 * H, { mentions: [B] }), msg(A, MON + 11 * H, { mentions: [B] })]);
      expect(rs.map((r) => r.earlyFollowup)).toEqual([false, true]);
    });
    it('not once the first request was answered', () => {
      const m1 = msg(A, MON + 10 * H, { mentions: [B] });
      const rs = run([m1, msg(B, MON + 10.5 * H, { root: m1.ts }), msg(A, MON + 11 * H, { mentions: [B] })]);
      expect(rs.map((r) => r.earlyFollowup)).toEqual([false, false]);
    });
    it('not once the first request is due', () => {
      const rs = run([msg(A, MON + 10 * H, { mentions: [B] }), msg(A, MON + 24 * H + 11 * H, { mentions: [B] })]);
      expect(rs.map((r) => r.earlyFollowup)).toEqual([false, false]);
    });
    it('not by another requester, not in another channel, not in another thread', () => {
      const root1 = msg(C, MON + 9 * H);
      const root2 = msg(C, MON + 9 * H + 1);
      const rs = run([
        msg(A, MON + 10 * H, { mentions: [B], root: root1.ts }),
        msg(C, MON + 11 * H, { mentions: [B], root: root1.ts }),
        msg(A, MON + 11 * H, { mentions: [B], channel: CH2 }),
        msg(A, MON + 12 * H, { mentions: [B], root: root2.ts }),
      ]);
      expect(rs.map((r) => r.earlyFollowup)).toEqual([false, false, false, false]);
    });
  });
});
