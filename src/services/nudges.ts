import { Background, BatchedWork } from '../background';
import type { MessageRecord } from '../domain/activity';
import { channelRules, type Charter } from '../domain/charter';
import { agendaWarning, earlyFollowupText, youngEnoughToNudge, focusText, followupLookbackMs, meetingNudgeText, offHoursText, type NudgeKind, type NudgeOutcome, type NudgeRef } from '../domain/nudges';
import { dueAfter, isWorkingAt, scheduleFor, type Schedule } from '../domain/working-time';
import type { Logger } from '../logger';
import { loadCharter } from '../store/charters';
import { unansweredEarlierRequestsOf, type EarlierRequest, type FollowupQuery } from '../store/followups';
import type { Store } from '../store/connect';
import { claimNudge, recordDecision, recordOutcome, releaseNudge, snoozeUntil } from '../store/nudges';
import { nudgeContext, type NudgeContext, type RecentNudge } from '../store/nudge-context';
import { personTz, type NamedPerson } from '../store/users';
import type { SlackPort } from './slack-port';

const HOUR = 3_600_000;
/** Per person and kind: at most this many nudges in the window. */
export const RATE_LIMITS: Record<NudgeKind, { max: number; windowMs: number }> = {
  meeting_request: { max: 3, windowMs: 24 * HOUR },
  off_hours: { max: 10, windowMs: 24 * HOUR },
  early_followup: { max: 3, windowMs: 24 * HOUR },
  focus: { max: 10, windowMs: 24 * HOUR },
};
/** One off-hours heads-up per sender and recipient in this window. */
export const OFF_HOURS_PAIR_MS = 12 * HOUR;
/** Messages considered for nudges in one batch (two queries), and at most waiting (beyond: dropped, they would be stale). */
export const NUDGE_BATCH = 50;
export const NUDGE_QUEUE_MAX = 2_000;
/** At most this share of the event loop's time goes to nudges: acknowledgements come first. */
export const NUDGE_SHARE = 0.3;
/** How far back the author's nudges are read: the longest rate-limit window. */
const RECENT_MS = Math.max(OFF_HOURS_PAIR_MS, ...Object.values(RATE_LIMITS).map((l) => l.windowMs));
/** "Snooze nudges for 7 days". */
export const SNOOZE_MS = 7 * 24 * HOUR;

export type NudgeDeps = {
  store: Store;
  logger: Logger;
  slack: Pick<SlackPort, 'showNudge'>;
  /** The app's own user id(s): never the subject of a heads-up. */
  appUserIds: () => ReadonlySet<string>;
  now?: () => number;
};

/** A message worth considering, with what its context says about it. */
type Plan = {
  m: MessageRecord;
  now: number;
  rules: ReturnType<typeof channelRules>;
  authorTz: string;
  recipients: Array<{ userId: string; person: NamedPerson }>;
  /** Its early follow-up lookups, one per recipient (none when the charter turns them off). */
  followups: FollowupQuery[];
};

export type Arrival = { teamId: string; message: MessageRecord; edit: boolean; retryNum?: number; directoryReady: Promise<void> };

/**
 * Owns a nudge's whole life. It speaks up after a message is stored: a meeting-request nudge,
 * off-hours heads-ups, early follow-up notes. Privately (ephemeral, to the author), rarely
 * (charter switches, channel overrides, excluded channels, snooze, per-person limits), never for
 * bots, DMs, edits, redeliveries or old messages, and never twice for one message. Then it
 * records what the person did with it: an outcome, a snooze, a decision from a memo, and checks
 * a meeting agenda against the charter.
 */
export class NudgeService {
  private readonly schedules = new WeakMap<Charter, Map<string, Schedule>>();
  private readonly batches: BatchedWork<{ a: Arrival; now: number }>;
  /** Nudges being posted (Web API calls), tracked for idle(). */
  private readonly posting: Background;
  constructor(private readonly deps: NudgeDeps) {
    this.batches = new BatchedWork(deps.logger, 'nudges', (items) => this.runBatch(items), { batch: NUDGE_BATCH, max: NUDGE_QUEUE_MAX, share: NUDGE_SHARE });
    this.posting = new Background(deps.logger);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Called after the commit, off the ack path. Errors are logged, never thrown. */
  consider(a: Arrival): void {
    const now = this.now();
    if (a.edit || a.retryNum !== undefined || !youngEnoughToNudge(a.message.postedAt.getTime(), now)) return;
    // Most messages neither ask for a meeting nor mention anyone: nothing to load for them.
    if (!a.message.meetingRequest && a.message.mentions.length === 0) return;
    this.batches.add({ a, now });
  }

  /** Resolves when every nudge under consideration has been shown or dropped. */
  async idle(): Promise<void> {
    await this.batches.idle();
    await this.posting.idle();
  }

  /** Records what the person did with their nudge (first outcome wins). False for an unknown nudge or someone else's. */
  async recordOutcome(teamId: string, ref: NudgeRef, userId: string, outcome: NudgeOutcome): Promise<boolean> {
    return recordOutcome(this.deps.store.db, teamId, ref.n, userId, outcome);
  }

  /** "Snooze nudges for 7 days": no nudges to the person until the returned instant; the nudge's outcome is 'snoozed'. */
  async snooze(teamId: string, ref: NudgeRef, userId: string): Promise<Date> {
    const until = new Date(this.now() + SNOOZE_MS);
    await snoozeUntil(this.deps.store.db, teamId, userId, until);
    await recordOutcome(this.deps.store.db, teamId, ref.n, userId, 'snoozed');
    return until;
  }

  /** Keeps a decision memo's recommendation as the team's decision record (text kept on purpose; counts in decisions_logged). */
  async recordDecision(teamId: string, ref: NudgeRef, userId: string, summary: string): Promise<void> {
    await recordDecision(this.deps.store.db, teamId, ref.c, userId, summary, new Date(this.now()));
  }

  /**
   * The heads-up for a meeting at `when` (ms) proposed by a person: under 24 h away, or on focus
   * time in their tz (the charter's when the directory has none). Null when the time is fine.
   */
  async agendaWarning(teamId: string, userId: string, when: number): Promise<string | null> {
    const { charter } = await loadCharter(this.deps.store.db, teamId);
    const tz = await personTz(this.deps.store.db, teamId, userId);
    return agendaWarning(charter, tz ?? charter.timezone, when, this.now());
  }

  /**
   * Considers a batch of arrivals: per team, one query for their context (charter, people,
   * snoozes, focus, the authors' recent nudges) and one for their early follow-ups, then each
   * message's nudges in arrival order.
   */
  private async runBatch(items: ReadonlyArray<{ a: Arrival; now: number }>): Promise<void> {
    const byTeam = new Map<string, Array<{ a: Arrival; now: number }>>();
    for (const item of items) byTeam.set(item.a.teamId, [...(byTeam.get(item.a.teamId) ?? []), item]);
    for (const [teamId, mine] of byTeam) {
      await Promise.allSettled(mine.map(({ a }) => a.directoryReady));
      const ats = mine.map(({ a }) => a.message.postedAt.getTime());
      const oldestNow = Math.min(...mine.map(({ now }) => now));
      const ctx = await nudgeContext(this.deps.store.db, {
        teamId,
        authors: mine.map(({ a }) => a.message.userId),
        mentioned: mine.flatMap(({ a }) => a.message.mentions),
        atFrom: new Date(Math.min(...ats)),
        atTo: new Date(Math.max(...ats)),
        now: new Date(oldestNow),
        since: new Date(oldestNow - RECENT_MS),
      });
      const plans = mine.map(({ a, now }) => this.plan(a.message, now, ctx));
      const queries = plans.flatMap((p) => p?.followups ?? []);
      const earlier = await unansweredEarlierRequestsOf(this.deps.store.db, teamId, queries);
      let k = 0;
      for (const p of plans) {
        if (p === null) continue;
        const answers = p.followups.map(() => earlier[k++] ?? []);
        await this.nudge(teamId, p, answers, ctx);
      }
    }
  }

  /** What a message may lead to, from its context: null when nothing can (excluded channel, bot, snoozed author, switches off). */
  private plan(m: MessageRecord, now: number, ctx: NudgeContext): Plan | null {
    const { charter } = ctx;
    if (charter.excluded_channels.includes(m.channelId)) return null;
    const rules = channelRules(charter, m.channelId);
    // Focus heads-ups are the recipient's own choice (`/async focus`): they do not depend on the charter's switches.
    if (!rules.nudges.meeting_requests && !rules.nudges.off_hours_mentions && !rules.nudges.early_followups && m.mentions.length === 0) return null;
    const author = ctx.people.get(m.userId);
    if (author?.isBot === true) return null;
    if ((ctx.snoozed.get(m.userId) ?? 0) > now) return null;
    const app = this.deps.appUserIds();
    const recipients = m.mentions
      .filter((u) => u !== m.userId && !app.has(u))
      .map((u) => ({ userId: u, person: ctx.people.get(u) }))
      .filter((r): r is { userId: string; person: NamedPerson } => r.person !== undefined && !r.person.isBot && !r.person.deleted);
    const at = m.postedAt.getTime();
    // An author at the early-follow-up limit gets no more today: their lookups are not run at all
    // (show() checks the limit again, with the nudges of the batch so far).
    const limit = RATE_LIMITS.early_followup;
    const atLimit = rules.nudges.early_followups && recipients.length > 0 && shownSince(ctx.recent.get(m.userId) ?? [], 'early_followup', now - limit.windowMs) >= limit.max;
    if (atLimit) this.deps.logger.debug({ kind: 'early_followup' }, 'early follow-up lookups skipped: rate limit');
    const followups: FollowupQuery[] =
      rules.nudges.early_followups && !atLimit
        ? recipients.map((r) => ({
            channel: m.channelId,
            author: m.userId,
            recipient: r.userId,
            ts: m.ts,
            rootTs: m.rootTs,
            isReply: m.isReply,
            at: m.postedAt,
            since: new Date(at - followupLookbackMs(charter, m.channelId)),
            reactionsCount: charter.reactions_count_as_response,
          }))
        : [];
    return { m, now, rules, authorTz: author?.tz ?? charter.timezone, recipients, followups };
  }

  /**
   * A person's schedule under a charter, kept while that charter is in force (the context hands
   * out one object per stored version), so its memo of working days outlives one message.
   */
  private scheduleOf(charter: Charter, tz: string | null): Schedule {
    let byTz = this.schedules.get(charter);
    if (byTz === undefined) {
      byTz = new Map();
      this.schedules.set(charter, byTz);
    }
    let s = byTz.get(tz ?? '');
    if (s === undefined) {
      s = scheduleFor(charter, tz);
      if (byTz.size >= 500) byTz.clear();
      byTz.set(tz ?? '', s);
    }
    return s;
  }

  /** The nudges of one planned message, in order: meeting request, focus, off hours, early follow-ups. */
  private async nudge(teamId: string, p: Plan, earlier: readonly EarlierRequest[][], ctx: NudgeContext): Promise<void> {
    const { m, now, rules, recipients } = p;
    const { charter } = ctx;
    const recent = ctx.recent.get(m.userId) ?? [];
    const at = m.postedAt.getTime();
    if (rules.nudges.meeting_requests && m.meetingRequest) {
      await this.show(teamId, 'meeting_request', m, undefined, now, meetingNudgeText(charter, m.channelId, p.authorTz, at), recent);
    }
    // Someone in focus gets this heads-up instead of the off-hours one (never in an urgent channel).
    const focused = new Map<string, number>();
    if (!rules.urgent) {
      for (const f of ctx.focus) if (f.start <= at && f.end > at && (focused.get(f.userId) ?? 0) < f.end) focused.set(f.userId, f.end);
    }
    for (const r of recipients) {
      const until = focused.get(r.userId);
      if (until === undefined) continue;
      if (shownSince(recent, 'focus', now - OFF_HOURS_PAIR_MS, r.userId) > 0) continue;
      const text = focusText({ name: r.person.displayName ?? r.userId, tz: r.person.tz ?? charter.timezone, until, now, urgentChannel: charter.urgent_channels[0] ?? null });
      await this.show(teamId, 'focus', m, r.userId, now, text, recent);
    }
    if (rules.nudges.off_hours_mentions && !rules.urgent) {
      for (const r of recipients) {
        const s = this.scheduleOf(charter, r.person.tz);
        if (focused.has(r.userId) || isWorkingAt(s, at)) continue;
        if (shownSince(recent, 'off_hours', now - OFF_HOURS_PAIR_MS, r.userId) > 0) continue;
        const text = offHoursText({ name: r.person.displayName ?? r.userId, tz: s.tz, at, due: dueAfter(s, at, rules.normalWorkingMinutes), urgentChannel: charter.urgent_channels[0] ?? null });
        await this.show(teamId, 'off_hours', m, r.userId, now, text, recent);
      }
    }
    // Early follow-ups (SPEC §4): per recipient, the author's latest earlier request to them here
    // (same root, or both top-level) still unanswered and not yet due.
    for (const [i, q] of p.followups.entries()) {
      const r = recipients.find((x) => x.userId === q.recipient);
      if (r === undefined) continue;
      const schedule = this.scheduleOf(charter, r.person.tz);
      const dueOf = (askedAt: number): number | null => (rules.urgent ? askedAt + rules.urgentMinutes * 60_000 : dueAfter(schedule, askedAt, rules.normalWorkingMinutes));
      const open = (earlier[i] ?? []).find((e) => {
        const due = dueOf(e.at);
        return due === null || at <= due;
      });
      if (open === undefined) continue;
      const text = earlyFollowupText({ name: r.person.displayName ?? r.userId, tz: schedule.tz, askedAt: open.at, due: dueOf(open.at), now });
      await this.show(teamId, 'early_followup', m, r.userId, now, text, recent);
    }
  }

  /**
   * Rate-limits (by the author's recent nudges, read with the message's context and kept up to
   * date here), claims (once per message, kind and person) and shows one nudge.
   */
  private async show(teamId: string, kind: NudgeKind, m: MessageRecord, about: string | undefined, now: number, text: string, recent: RecentNudge[]): Promise<void> {
    const { store, slack, logger } = this.deps;
    const limit = RATE_LIMITS[kind];
    if (shownSince(recent, kind, now - limit.windowMs) >= limit.max) {
      logger.debug({ team_id: teamId, kind }, 'nudge skipped: rate limit');
      return;
    }
    const id = await claimNudge(store.db, { teamId, channelId: m.channelId, messageTs: m.ts, kind, userId: m.userId, at: new Date(now), ...(about ? { aboutUserId: about } : {}) });
    if (id === null) return;
    const shown: RecentNudge = { kind, about: about ?? '', at: now };
    recent.push(shown);
    // Posted off this loop, so that one slow Web API call does not hold the rest of the batch.
    this.posting.run(
      'nudge',
      async () => {
        try {
          await slack.showNudge({ teamId, kind, channel: m.channelId, user: m.userId, text, ref: { n: id, c: m.channelId, ts: m.ts } });
          logger.info({ team_id: teamId, kind, nudge: id }, 'nudge shown');
        } catch (err) {
          // Not shown: it must not count against the person's limits.
          await releaseNudge(store.db, id);
          recent.splice(recent.indexOf(shown), 1);
          throw err;
        }
      },
      { team_id: teamId, kind },
    );
  }
}

/** How many of the author's recent nudges of a kind were shown at or after `since` (ms), optionally about one person. */
function shownSince(recent: readonly RecentNudge[], kind: NudgeKind, since: number, about?: string): number {
  return recent.filter((r) => r.kind === kind && r.at >= since && (about === undefined || r.about === about)).length;
}
