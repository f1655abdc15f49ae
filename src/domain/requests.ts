import { channelRules, type Charter } from './charter';
import { dueAfter, isWorkingAt, scheduleFor, workingMinutes, type Schedule } from './working-time';

/**
 * Requests and responses, SPEC §4, from plain records. Pure: the caller says what `as_of` is,
 * and only data up to it is considered.
 */

/** A human message (SPEC §2) as the store keeps it: no text. */
export type Msg = {
  channel: string;
  ts: string;
  /** ts as epoch ms. */
  at: number;
  rootTs: string;
  isReply: boolean;
  user: string;
  mentions: readonly string[];
};

export type Reaction = { channel: string; messageTs: string; user: string; at: number };

/** What the directory knows of a person. Anyone absent is unknown to the workspace. */
export type Person = { tz: string | null; isBot: boolean; deleted: boolean };

export type RequestRecord = {
  channel: string;
  ts: string;
  rootTs: string;
  isReply: boolean;
  requester: string;
  recipient: string;
  askedAt: number;
  urgent: boolean;
  /** Instant the answer is due; null when the schedule has no working time at all. */
  dueAt: number | null;
  respondedAt: number | null;
  /** Normal: recipient's working minutes; urgent: wall-clock minutes; null when unanswered. */
  latencyMinutes: number | null;
  offHours: boolean;
  earlyFollowup: boolean;
  outcome: Outcome;
};

export type Outcome = 'on_time' | 'late' | 'overdue' | 'pending';

export type RequestInputs = {
  charter: Charter;
  messages: readonly Msg[];
  reactions: readonly Reaction[];
  people: ReadonlyMap<string, Person>;
  /** The app's own user id(s): never a recipient. */
  appUserIds?: ReadonlySet<string>;
  asOf: number;
};

/** Slack ts → a sortable number of microseconds (exact below 2^53). */
export function tsMicros(ts: string): number {
  const [s, f = ''] = ts.split('.');
  return Number(s) * 1_000_000 + Number(f.padEnd(6, '0').slice(0, 6));
}

/** Schedules per person, made once per computation. */
export class Schedules {
  private readonly byTz = new Map<string, Schedule>();
  constructor(private readonly charter: Charter, private readonly people: ReadonlyMap<string, Person>) {}
  of(user: string): Schedule {
    const tz = this.people.get(user)?.tz ?? this.charter.timezone;
    let s = this.byTz.get(tz);
    if (s === undefined) {
      s = scheduleFor(this.charter, tz);
      this.byTz.set(tz, s);
    }
    return s;
  }
}

/** Outcome at as_of (SPEC §4). */
export function outcomeAt(respondedAt: number | null, dueAt: number | null, asOf: number): Outcome {
  if (respondedAt !== null && respondedAt <= asOf) return dueAt === null || respondedAt <= dueAt ? 'on_time' : 'late';
  return dueAt !== null && asOf > dueAt ? 'overdue' : 'pending';
}

/** A request as found in the messages: its message, its recipient, and its first response by as_of (null: none yet). */
export type FoundRequest = Pick<RequestRecord, 'channel' | 'ts' | 'rootTs' | 'isReply' | 'requester' | 'recipient' | 'askedAt' | 'respondedAt'>;

/**
 * A found request judged under the charter at as_of (SPEC §3, §4): its window (the channel's rules),
 * due instant and latency in the recipient's working time (wall clock when urgent), off-hours flag
 * and outcome. Early follow-ups need the pair's other requests: computeRequests marks them.
 */
export function evaluateRequest(r: FoundRequest, charter: Charter, schedules: Schedules, asOf: number): RequestRecord {
  const rules = channelRules(charter, r.channel);
  const schedule = schedules.of(r.recipient);
  const dueAt = rules.urgent ? r.askedAt + rules.urgentMinutes * 60_000 : dueAfter(schedule, r.askedAt, rules.normalWorkingMinutes);
  const { respondedAt } = r;
  const latencyMinutes = respondedAt === null ? null : rules.urgent ? (respondedAt - r.askedAt) / 60_000 : workingMinutes(schedule, r.askedAt, respondedAt);
  return {
    ...r,
    urgent: rules.urgent,
    dueAt,
    latencyMinutes,
    offHours: !isWorkingAt(schedule, r.askedAt),
    earlyFollowup: false,
    outcome: outcomeAt(respondedAt, dueAt, asOf),
  };
}

/** Whether a mention of `recipient` in a message of `requester` is a request at all (SPEC §4): a person of the directory, not a bot, not deleted, not the author, not the app. */
export function isRecipient(recipient: string, requester: string, people: ReadonlyMap<string, Person>, appUserIds: ReadonlySet<string>): boolean {
  const person = people.get(recipient);
  return person !== undefined && !person.isBot && !person.deleted && recipient !== requester && !appUserIds.has(recipient);
}

/**
 * Every request asked up to as_of, with its response, due instant, latency, outcome,
 * off-hours and early-follow-up flags.
 */
export function computeRequests(input: RequestInputs): RequestRecord[] {
  const { charter, people, asOf } = input;
  const appIds = input.appUserIds ?? new Set<string>();
  const schedules = new Schedules(charter, people);
  const messages = input.messages.filter((m) => m.at <= asOf).slice().sort((a, b) => tsMicros(a.ts) - tsMicros(b.ts));

  // Index: per (channel, root) and per channel top-level, each author's messages in ts order.
  const byRootUser = new Map<string, Msg[]>();
  const topByChannelUser = new Map<string, Msg[]>();
  for (const m of messages) {
    push(byRootUser, `${m.channel}\u0000${m.rootTs}\u0000${m.user}`, m);
    if (!m.isReply) push(topByChannelUser, `${m.channel}\u0000${m.user}`, m);
  }
  // Each person's reactions to each message, up to as_of.
  const reactionsByKey = new Map<string, number[]>();
  if (charter.reactions_count_as_response) {
    for (const r of input.reactions) {
      if (r.at > asOf) continue;
      push(reactionsByKey, `${r.channel}\u0000${r.messageTs}\u0000${r.user}`, r.at);
    }
  }

  const requests: RequestRecord[] = [];
  for (const m of messages) {
    for (const u of m.mentions) {
      if (!isRecipient(u, m.user, people, appIds)) continue;
      const mMicros = tsMicros(m.ts);
      const candidates: number[] = [];
      const sameRoot = firstAfter(byRootUser.get(`${m.channel}\u0000${m.rootTs}\u0000${u}`), mMicros);
      if (sameRoot !== undefined) candidates.push(sameRoot.at);
      if (!m.isReply) {
        const top = firstAfter(topByChannelUser.get(`${m.channel}\u0000${u}`), mMicros);
        if (top !== undefined) candidates.push(top.at);
      }
      // Their first reaction to M later than M (SPEC §4; Slack never sends one earlier, a hand-made payload may).
      const later = (reactionsByKey.get(`${m.channel}\u0000${m.ts}\u0000${u}`) ?? []).filter((at) => at > m.at);
      if (later.length > 0) candidates.push(Math.min(...later));
      const respondedAt = candidates.length > 0 ? Math.min(...candidates) : null;
      requests.push(evaluateRequest({ channel: m.channel, ts: m.ts, rootTs: m.rootTs, isReply: m.isReply, requester: m.user, recipient: u, askedAt: m.at, respondedAt }, charter, schedules, asOf));
    }
  }
  markEarlyFollowups(requests);
  return requests;
}

/**
 * An early follow-up is (M2, U) by A when an earlier request (M1, U) by A in the same channel,
 * with the same root or both top-level, has at M2 no response and is not yet due.
 */
function markEarlyFollowups(requests: RequestRecord[]): void {
  const byPair = new Map<string, RequestRecord[]>();
  for (const r of requests) push(byPair, `${r.channel}\u0000${r.requester}\u0000${r.recipient}`, r);
  for (const list of byPair.values()) {
    if (list.length < 2) continue;
    for (let j = 1; j < list.length; j += 1) {
      const r2 = list[j] as RequestRecord;
      const m2 = tsMicros(r2.ts);
      for (let i = 0; i < j; i += 1) {
        const r1 = list[i] as RequestRecord;
        if (!(tsMicros(r1.ts) < m2)) continue;
        const related = r1.rootTs === r2.rootTs || (!r1.isReply && !r2.isReply);
        if (!related) continue;
        const answered = r1.respondedAt !== null && r1.respondedAt <= r2.askedAt;
        const notYetDue = r1.dueAt === null || r2.askedAt <= r1.dueAt;
        if (!answered && notYetDue) {
          r2.earlyFollowup = true;
          break;
        }
      }
    }
  }
}

/** The first message strictly after ts (microseconds) in a ts-ordered list. */
function firstAfter(list: readonly Msg[] | undefined, micros: number): Msg | undefined {
  if (list === undefined) return undefined;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tsMicros((list[mid] as Msg).ts) <= micros) lo = mid + 1;
    else hi = mid;
  }
  return list[lo];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** An after-hours message: not within its author's working hours (SPEC §4). */
export function isAfterHours(schedules: Schedules, m: Pick<Msg, 'user' | 'at'>): boolean {
  return !isWorkingAt(schedules.of(m.user), m.at);
}
