import type { Charter } from '../domain/charter';
import { describeCharter, type CharterSection } from '../domain/charter-text';
import { personalFiguresOf, personalRecords, type PersonalWeek, type Waiting } from '../domain/personal';
import { weekBounds, weekStartOf, type WeeklyReport } from '../domain/report';
import type { Logger } from '../logger';
import { loadCharter } from '../store/charters';
import type { Store } from '../store/connect';
import { currentFocus } from '../store/focus';
import { nudgesShownTo, snoozedUntil } from '../store/nudges';
import { loadLogged, personalActivity } from '../store/report-data';
import { personProfile } from '../store/users';
import { buildReports, reportLookbackMs } from './reports';
import type { ChannelFacts } from './slack-port';

export type PersonalDeps = {
  store: Store;
  logger: Logger;
  now: () => number;
  /** Makes sure the directory knows these people (users.info for newcomers). */
  ensurePeople: (teamId: string, userIds: readonly string[]) => Promise<void>;
  /** conversations.info with the member count; null when Slack does not know the channel (or the app cannot see it). */
  channelInfo: (teamId: string, channel: string) => Promise<ChannelFacts | null>;
  /** The history import's state for the setup steps; absent when the process cannot import. */
  backfillState?: (teamId: string) => Promise<BackfillState | null>;
};

/** The history import as App Home shows it. */
export type BackfillState = { status: 'running' | 'done' | 'failed'; channelsDone: number; channelsTotal: number; messages: number };

/** The three setup steps an admin sees in App Home until they are done. */
export type SetupSteps = { charterStored: boolean; digestChannel: boolean; backfill: BackfillState | null };

/** Who is asking: their zone (the charter's when Slack gave none) and what they may do. */
export type Caller = { userId: string; tz: string; displayName: string | null; canEditCharter: boolean };

/** A person's own view: shown to that person only (`/async stats`, App Home). */
export type MyOverview = {
  caller: Caller;
  charter: Charter;
  now: number;
  /** [this week so far, last week]. */
  weeks: [PersonalWeek, PersonalWeek];
  waiting: Waiting[];
  waitingTotal: number;
  snoozedUntil: number | null;
  focusUntil: number | null;
  /** For admins, owners and editors while setup is not finished (charter, digest channel, history); else null. */
  setup: SetupSteps | null;
};

/** A channel's figures, only for a channel of at least min_group_size members the app is in. */
export type ChannelStats =
  | { status: 'ok'; channel: string; name: string | null; members: number; weeks: [WeeklyReport, WeeklyReport]; timezone: string }
  | { status: 'too_small'; channel: string; minGroupSize: number }
  | { status: 'not_member'; channel: string }
  | { status: 'excluded'; channel: string }
  | { status: 'unknown'; channel: string };

/**
 * A person's figures for the given weeks (charter timezone) and what waits on them at as_of, from
 * their own rows: their requests (asked of them or by them) from as far back as a report reads
 * them, their messages and focus sessions of the weeks. Nobody else's rows reach the process: the
 * database reads the window's requests and the weeks' messages by time and keeps the person's, so
 * the cost follows the workspace's volume in that window (not its history) and memory stays small.
 * Held equal to personalFigures over the loaded records by test/store/report-counts.test.ts.
 */
export async function storedPersonalFigures(
  db: Store['db'],
  teamId: string,
  userId: string,
  q: { charter: Charter; weeks: readonly string[]; asOf: number; nudgesShown?: readonly number[] },
): Promise<ReturnType<typeof personalFiguresOf>> {
  const { charter, asOf } = q;
  if (q.weeks.length === 0) throw new Error('storedPersonalFigures: no week asked for');
  const first = Math.min(...q.weeks.map((w) => weekBounds(w, charter.timezone)[0]));
  const [activity, logged] = await Promise.all([
    personalActivity(db, teamId, userId, { from: new Date(first - reportLookbackMs(charter)), messagesFrom: new Date(first), asOf: new Date(asOf), reactionsCount: charter.reactions_count_as_response }),
    loadLogged(db, teamId, { from: new Date(first), to: new Date(asOf) }),
  ]);
  const records = personalRecords({ ...activity, charter, asOf, timezone: charter.timezone, focusSessions: logged.focusSessions, ...(q.nudgesShown ? { nudgesShown: q.nudgesShown } : {}) });
  return personalFiguresOf(records, userId, q.weeks);
}

/** This week's and last week's Mondays (charter timezone) at `now`, and when last week starts (ms). */
function twoWeeks(now: number, tz: string): { thisWeek: string; lastWeek: string; lastStart: number } {
  const thisWeek = weekStartOf(now, tz);
  const lastWeek = weekStartOf(weekBounds(thisWeek, tz)[0] - 1, tz);
  return { thisWeek, lastWeek, lastStart: weekBounds(lastWeek, tz)[0] };
}

/** A person's own figures and state, and channel aggregates under the group-size rule. Nobody sees another person's figures. */
export class PersonalService {
  constructor(private readonly deps: PersonalDeps) {}

  /** The caller as the directory knows them (looked up in Slack when new). */
  async caller(teamId: string, userId: string, charter?: Charter): Promise<Caller> {
    const { db } = this.deps.store;
    await this.deps.ensurePeople(teamId, [userId]).catch((err: unknown) => this.deps.logger.warn({ err, team_id: teamId }, 'users.info failed: the charter timezone stands in'));
    const c = charter ?? (await loadCharter(db, teamId)).charter;
    const p = await personProfile(db, teamId, userId);
    return { userId, tz: p?.tz ?? c.timezone, displayName: p?.displayName ?? null, canEditCharter: p !== null && (p.isAdmin || p.isOwner || c.editors.includes(userId)) };
  }

  /** The charter in words for this caller (hours in their zone) and channel (its overrides); problems when the stored one no longer validates. */
  async charterText(teamId: string, userId: string, channel: string | null): Promise<{ sections: CharterSection[]; stored: boolean; problems: string[] }> {
    const { charter, stored, problems } = await loadCharter(this.deps.store.db, teamId);
    const caller = await this.caller(teamId, userId, charter);
    return { sections: describeCharter(charter, { callerTz: caller.tz, channel, now: this.deps.now() }), stored, problems };
  }

  /** The caller's week so far and last week, what waits on them now, their snooze and focus. */
  async overview(teamId: string, userId: string): Promise<MyOverview> {
    const { db } = this.deps.store;
    const now = this.deps.now();
    const { charter, stored } = await loadCharter(db, teamId);
    const caller = await this.caller(teamId, userId, charter);
    const tz = charter.timezone;
    const { thisWeek, lastWeek, lastStart } = twoWeeks(now, tz);
    let setup: SetupSteps | null = null;
    if (caller.canEditCharter) {
      const backfill = (await this.deps.backfillState?.(teamId)) ?? null;
      const steps = { charterStored: stored, digestChannel: charter.digest.channel !== null, backfill };
      setup = steps.charterStored && steps.digestChannel && backfill?.status === 'done' ? null : steps;
    }
    const shown = await nudgesShownTo(db, teamId, userId, new Date(lastStart), new Date(now + 1));
    const figures = await storedPersonalFigures(db, teamId, userId, { charter, weeks: [thisWeek, lastWeek], asOf: now, nudgesShown: shown });
    const [snooze, focus] = await Promise.all([snoozedUntil(db, teamId, userId, new Date(now)), currentFocus(db, teamId, userId, new Date(now))]);
    return {
      caller,
      charter,
      now,
      weeks: figures.weeks as [PersonalWeek, PersonalWeek],
      waiting: figures.waiting,
      waitingTotal: figures.waitingTotal,
      snoozedUntil: snooze?.getTime() ?? null,
      focusUntil: focus?.end.getTime() ?? null,
      setup,
    };
  }

  /**
   * A channel's aggregates this week and last, for anyone (member or not), only when Slack counts
   * at least min_group_size members in it and the app is in it; otherwise which rule stopped it.
   */
  async channelStats(teamId: string, channel: string): Promise<ChannelStats> {
    const { db } = this.deps.store;
    const { charter } = await loadCharter(db, teamId);
    if (charter.excluded_channels.includes(channel)) return { status: 'excluded', channel };
    const info = await this.deps.channelInfo(teamId, channel);
    if (info === null) return { status: 'unknown', channel };
    if (!info.isMember) return { status: 'not_member', channel };
    if (info.members === null || info.members < charter.min_group_size) return { status: 'too_small', channel, minGroupSize: charter.min_group_size };
    const now = this.deps.now();
    const tz = charter.timezone;
    const { thisWeek, lastWeek } = twoWeeks(now, tz);
    // The report's own statements, for this channel's rows only.
    const reports = await buildReports(db, teamId, { weeks: [thisWeek, lastWeek], asOf: new Date(now), charter, channel });
    return { status: 'ok', channel, name: info.name, members: info.members, weeks: reports as [WeeklyReport, WeeklyReport], timezone: tz };
  }
}
