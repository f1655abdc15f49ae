import { BoundedWork } from '../background';
import type { MessageRecord } from '../domain/activity';
import { channelRules, type Charter } from '../domain/charter';
import { agendaWarning, earlyFollowupText, focusText, followupLookbackMs, meetingNudgeText, offHoursText, type NudgeKind, type NudgeOutcome, type NudgeRef } from '../domain/nudges';
import { Schedules } from '../domain/requests';
import { dueAfter, isWorkingAt, scheduleFor } from '../domain/working-time';
import type { Logger } from '../logger';
import { loadCharter } from '../store/charters';
import { unansweredEarlierRequests } from '../store/followups';
import type { Store } from '../store/connect';
import { claimNudge, recordDecision, recordOutcome, releaseNudge, snoozeUntil } from '../store/nudges';
import { nudgeContext, type RecentNudge } from '../store/nudge-context';
import { personTz, type NamedPerson } from '../store/users';
import type { SlackPort } from './slack-port';

/** Messages older than this when they arrive (backfills, late redeliveries) never nudge. */
export const MAX_AGE_MS = 10 * 60_000;
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
/** Messages considered for nudges at once, and at most waiting (beyond: dropped, they would be stale). */
export const NUDGE_CONCURRENCY = 4;
export const NUDGE_QUEUE_MAX = 2_000;
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
  private readonly background: BoundedWork;
  constructor(private readonly deps: NudgeDeps) {
    this.background = new BoundedWork(deps.logger, { concurrency: NUDGE_CONCURRENCY, max: NUDGE_QUEUE_MAX });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Called after the commit, off the ack path. Errors are logged, never thrown. */
  consider(a: Arrival): void {
    const now = this.now();
    if (a.edit || a.retryNum !== undefined || now - a.message.postedAt.getTime() > MAX_AGE_MS) return;
    // Most messages neither ask for a meeting nor mention anyone: nothing to load for them.
    if (!a.message.meetingRequest && a.message.mentions.length === 0) return;
    this.background.run('nudge', () => this.run(a, now), { team_id: a.teamId, channel: a.message.channelId });
  }

  /** Resolves when every nudge under consideration has been shown or dropped. */
  async idle(): Promise<void> {
    await this.background.idle();
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

  private async run(a: Arrival, now: number): Promise<void> {
    const { store } = this.deps;
    const m = a.message;
    await a.directoryReady;
    // One round trip for the charter, the people, the author's snooze and recent nudges, and focus.
    const ctx = await nudgeContext(store.db, { teamId: a.teamId, author: m.userId, mentioned: m.mentions, at: m.postedAt, now: new Date(now), since: new Date(now - RECENT_MS) });
    const { charter } = ctx;
    if (charter.excluded_channels.includes(m.channelId)) return;
    const rules = channelRules(charter, m.channelId);
    // Focus heads-ups are the recipient's own choice (`/async focus`): they do not depend on the charter's switches.
    if (!rules.nudges.meeting_requests && !rules.nudges.off_hours_mentions && !rules.nudges.early_followups && m.mentions.length === 0) return;
    const byId = ctx.people;
    const author = byId.get(m.userId);
    if (author?.isBot === true) return;
    if (ctx.snoozed) return;
    const recent = ctx.recent;
    const authorTz = author?.tz ?? charter.timezone;
    const at = m.postedAt.getTime();

    if (rules.nudges.meeting_requests && m.meetingRequest) {
      await this.show(a.teamId, 'meeting_request', m, undefined, now, meetingNudgeText(charter, m.channelId, authorTz, at), recent);
    }
    const app = this.deps.appUserIds();
    const recipients = m.mentions
      .filter((u) => u !== m.userId && !app.has(u))
      .map((u) => ({ userId: u, person: byId.get(u) }))
      .filter((r): r is { userId: string; person: NamedPerson } => r.person !== undefined && !r.person.isBot && !r.person.deleted);
    // Someone in focus gets this heads-up instead of the off-hours one (never in an urgent channel).
    const focused = rules.urgent ? new Map<string, Date>() : ctx.focus;
    for (const r of recipients) {
      const until = focused.get(r.userId);
      if (until === undefined) continue;
      if (shownSince(recent, 'focus', now - OFF_HOURS_PAIR_MS, r.userId) > 0) continue;
      const text = focusText({ name: r.person.displayName ?? r.userId, tz: r.person.tz ?? charter.timezone, until: until.getTime(), now, urgentChannel: charter.urgent_channels[0] ?? null });
      await this.show(a.teamId, 'focus', m, r.userId, now, text, recent);
    }
    if (rules.nudges.off_hours_mentions && !rules.urgent) {
      const schedules = new Schedules(charter, new Map(recipients.map((r) => [r.userId, { tz: r.person.tz, isBot: r.person.isBot, deleted: r.person.deleted }])));
      for (const r of recipients) {
        const s = schedules.of(r.userId);
        if (focused.has(r.userId) || isWorkingAt(s, at)) continue;
        if (shownSince(recent, 'off_hours', now - OFF_HOURS_PAIR_MS, r.userId) > 0) continue;
        const text = offHoursText({ name: r.person.displayName ?? r.userId, tz: s.tz, at, due: dueAfter(s, at, rules.normalWorkingMinutes), urgentChannel: charter.urgent_channels[0] ?? null });
        await this.show(a.teamId, 'off_hours', m, r.userId, now, text, recent);
      }
    }
    if (rules.nudges.early_followups && recipients.length > 0) await this.earlyFollowups(a.teamId, charter, m, now, new Map(recipients.map((r) => [r.userId, { name: r.person.displayName ?? r.userId, tz: r.person.tz }])), recent);
  }

  /**
   * Early follow-ups (SPEC §4) of this message: per recipient, the author's latest earlier
   * request to them here (same root, or both top-level) still unanswered and not yet due. Read
   * with indexed lookups of the author's and recipient's messages, not the channel's history.
   */
  private async earlyFollowups(teamId: string, charter: Charter, m: MessageRecord, now: number, recipients: ReadonlyMap<string, { name: string; tz: string | null }>, recent: RecentNudge[]): Promise<void> {
    const at = m.postedAt.getTime();
    const rules = channelRules(charter, m.channelId);
    for (const [recipient, who] of recipients) {
      const earlier = await unansweredEarlierRequests(this.deps.store.db, teamId, {
        channel: m.channelId,
        author: m.userId,
        recipient,
        ts: m.ts,
        rootTs: m.rootTs,
        isReply: m.isReply,
        at: m.postedAt,
        since: new Date(at - followupLookbackMs(charter, m.channelId)),
        reactionsCount: charter.reactions_count_as_response,
      });
      const schedule = scheduleFor(charter, who.tz);
      const open = earlier.find((e) => {
        const due = rules.urgent ? e.at + rules.urgentMinutes * 60_000 : dueAfter(schedule, e.at, rules.normalWorkingMinutes);
        return due === null || at <= due;
      });
      if (open === undefined) continue;
      const due = rules.urgent ? open.at + rules.urgentMinutes * 60_000 : dueAfter(schedule, open.at, rules.normalWorkingMinutes);
      const text = earlyFollowupText({ name: who.name, tz: schedule.tz, askedAt: open.at, due, now });
      await this.show(teamId, 'early_followup', m, recipient, now, text, recent);
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
    recent.push({ kind, about: about ?? '', at: now });
    try {
      await slack.showNudge({ kind, channel: m.channelId, user: m.userId, text, ref: { n: id, c: m.channelId, ts: m.ts } });
      logger.info({ team_id: teamId, kind, nudge: id }, 'nudge shown');
    } catch (err) {
      await releaseNudge(store.db, id);
      recent.splice(recent.findIndex((r) => r.kind === kind && r.at === now && r.about === (about ?? '')), 1);
      throw err;
    }
  }
}

/** How many of the author's recent nudges of a kind were shown at or after `since` (ms), optionally about one person. */
function shownSince(recent: readonly RecentNudge[], kind: NudgeKind, since: number, about?: string): number {
  return recent.filter((r) => r.kind === kind && r.at >= since && (about === undefined || r.about === about)).length;
}
