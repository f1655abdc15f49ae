import type { MessageRecord } from '../domain/activity';
import { channelRules, type Charter } from '../domain/charter';
import { earlyFollowupText, meetingNudgeText, offHoursText } from '../domain/nudges';
import { computeRequests, Schedules } from '../domain/requests';
import { dueAfter, isWorkingAt } from '../domain/working-time';
import type { Logger } from '../logger';
import { loadCharter } from '../store/charters';
import type { Store } from '../store/connect';
import { claimNudge, countNudges, isSnoozed, releaseNudge, type NudgeKind } from '../store/nudges';
import { loadActivity } from '../store/report-data';
import type { SlackPort } from './slack-port';

/** Messages older than this when they arrive (backfills, late redeliveries) never nudge. */
export const MAX_AGE_MS = 10 * 60_000;
const HOUR = 3_600_000;
/** Per person and kind: at most this many nudges in the window. */
export const RATE_LIMITS: Record<NudgeKind, { max: number; windowMs: number }> = {
  meeting_request: { max: 3, windowMs: 24 * HOUR },
  off_hours: { max: 10, windowMs: 24 * HOUR },
  early_followup: { max: 3, windowMs: 24 * HOUR },
};
/** One off-hours heads-up per sender and recipient in this window. */
export const OFF_HOURS_PAIR_MS = 12 * HOUR;

export type NudgeDeps = {
  store: Store;
  logger: Logger;
  slack: SlackPort;
  /** The app's own user id(s): never the subject of a heads-up. */
  appUserIds: () => ReadonlySet<string>;
  now?: () => number;
};

export type Arrival = { teamId: string; message: MessageRecord; edit: boolean; retryNum?: number; directoryReady: Promise<void> };

/**
 * Speaks up after a message is stored: a meeting-request nudge, off-hours heads-ups, early
 * follow-up notes. Privately (ephemeral, to the author), rarely (charter switches, channel
 * overrides, excluded channels, snooze, per-person limits), never for bots, DMs, edits,
 * redeliveries or old messages, and never twice for one message.
 */
export class NudgeService {
  private readonly inFlight = new Set<Promise<void>>();
  constructor(private readonly deps: NudgeDeps) {}

  /** Called after the commit, off the ack path. Errors are logged, never thrown. */
  consider(a: Arrival): void {
    const now = (this.deps.now ?? Date.now)();
    if (a.edit || a.retryNum !== undefined || now - a.message.postedAt.getTime() > MAX_AGE_MS) return;
    // Most messages neither ask for a meeting nor mention anyone: nothing to load for them.
    if (!a.message.meetingRequest && a.message.mentions.length === 0) return;
    const work = this.run(a, now).catch((err: unknown) => this.deps.logger.warn({ err, team_id: a.teamId, channel: a.message.channelId }, 'nudge failed'));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async run(a: Arrival, now: number): Promise<void> {
    const { store } = this.deps;
    const m = a.message;
    const { charter } = await loadCharter(store.db, a.teamId);
    if (charter.excluded_channels.includes(m.channelId)) return;
    const rules = channelRules(charter, m.channelId);
    if (!rules.nudges.meeting_requests && !rules.nudges.off_hours_mentions && !rules.nudges.early_followups) return;
    await a.directoryReady;
    const ids = [m.userId, ...m.mentions];
    const users = await store.db.selectFrom('users').select(['user_id', 'tz', 'is_bot', 'deleted', 'display_name']).where('team_id', '=', a.teamId).where('user_id', 'in', ids).execute();
    const byId = new Map(users.map((u) => [u.user_id, u]));
    const author = byId.get(m.userId);
    if (author?.is_bot === true) return;
    if (await isSnoozed(store.db, a.teamId, m.userId, new Date(now))) return;
    const authorTz = author?.tz ?? charter.timezone;
    const at = m.postedAt.getTime();

    if (rules.nudges.meeting_requests && m.meetingRequest) {
      await this.show(a.teamId, 'meeting_request', m, undefined, now, meetingNudgeText(charter, m.channelId, authorTz, at));
    }
    const app = this.deps.appUserIds();
    const recipients = m.mentions.filter((u) => u !== m.userId && !app.has(u)).map((u) => byId.get(u)).filter((u): u is NonNullable<typeof u> => u !== undefined && !u.is_bot && !u.deleted);
    if (rules.nudges.off_hours_mentions && !rules.urgent) {
      const schedules = new Schedules(charter, new Map(recipients.map((r) => [r.user_id, { tz: r.tz, isBot: r.is_bot, deleted: r.deleted }])));
      for (const r of recipients) {
        const s = schedules.of(r.user_id);
        if (isWorkingAt(s, at)) continue;
        if ((await countNudges(store.db, a.teamId, m.userId, 'off_hours', new Date(now - OFF_HOURS_PAIR_MS), r.user_id)) > 0) continue;
        const text = offHoursText({ name: r.display_name ?? r.user_id, tz: s.tz, at, due: dueAfter(s, at, rules.normalWorkingMinutes), urgentChannel: charter.urgent_channels[0] ?? null });
        await this.show(a.teamId, 'off_hours', m, r.user_id, now, text);
      }
    }
    if (rules.nudges.early_followups && recipients.length > 0) await this.earlyFollowups(a.teamId, charter, m, now, new Map(recipients.map((r) => [r.user_id, r.display_name ?? r.user_id])));
  }

  private async earlyFollowups(teamId: string, charter: Charter, m: MessageRecord, now: number, names: Map<string, string>): Promise<void> {
    const at = m.postedAt.getTime();
    const activity = await loadActivity(this.deps.store.db, teamId, { from: new Date(at - 30 * 24 * HOUR), to: m.postedAt, channel: m.channelId });
    const requests = computeRequests({ charter, messages: activity.messages, reactions: activity.reactions, people: activity.people, appUserIds: activity.appUserIds, asOf: at });
    for (const r of requests) {
      if (r.ts !== m.ts || !r.earlyFollowup) continue;
      const earlier = requests
        .filter((e) => e.requester === r.requester && e.recipient === r.recipient && e.channel === r.channel && e.ts !== r.ts && e.askedAt <= at && (e.respondedAt === null || e.respondedAt > at) && (e.dueAt === null || at <= e.dueAt))
        .sort((x, y) => y.askedAt - x.askedAt)[0];
      if (earlier === undefined) continue;
      const tz = activity.people.get(r.recipient)?.tz ?? charter.timezone;
      const text = earlyFollowupText({ name: names.get(r.recipient) ?? r.recipient, tz, askedAt: earlier.askedAt, due: earlier.dueAt, now });
      await this.show(teamId, 'early_followup', m, r.recipient, now, text);
    }
  }

  /** Rate-limits, claims (once per message, kind and person) and shows one nudge. */
  private async show(teamId: string, kind: NudgeKind, m: MessageRecord, about: string | undefined, now: number, text: string): Promise<void> {
    const { store, slack, logger } = this.deps;
    const limit = RATE_LIMITS[kind];
    if ((await countNudges(store.db, teamId, m.userId, kind, new Date(now - limit.windowMs))) >= limit.max) {
      logger.debug({ team_id: teamId, kind }, 'nudge skipped: rate limit');
      return;
    }
    const id = await claimNudge(store.db, { teamId, channelId: m.channelId, messageTs: m.ts, kind, userId: m.userId, ...(about ? { aboutUserId: about } : {}) });
    if (id === null) return;
    try {
      await slack.showNudge({ kind, channel: m.channelId, user: m.userId, text, ref: { n: id, c: m.channelId, ts: m.ts } });
      logger.info({ team_id: teamId, kind, nudge: id }, 'nudge shown');
    } catch (err) {
      await releaseNudge(store.db, id);
      throw err;
    }
  }
}
