import { channelRules, longestPendingMs, type Charter } from '../domain/charter';
import { reportSetFromCounts, weekBounds, weeksBetween, type ChannelFigures, type ReportCounts, type WeeklyReport } from '../domain/report';
import { workingTable } from '../domain/working-table';
import { loadCharter } from '../store/charters';
import type { Db } from '../store/connect';
import { storedReportCounts, teamZones } from '../store/report-counts';
import { activitySpan, loadLogged } from '../store/report-data';
import { drainRequests } from '../store/requests';

/**
 * How far before a week's start requests are read, so that early follow-ups can see earlier ones:
 * 60 days, or longer when a request can stay not yet due longer under the charter.
 */
export const reportLookbackMs = (charter: Charter): number => Math.max(60 * 86_400_000, longestPendingMs(charter));
/** Zones that arrive while the counts are read make them read again, this many times at most. */
const ZONE_ROUNDS = 3;

export type ReportOptions = {
  /** Monday dates in the charter timezone; default: every week from the first message to as_of. */
  weeks?: readonly string[];
  asOf: Date;
  /** Default: the charter stored for the team, else the defaults. */
  charter?: Charter;
  /** team_id as printed; default teamId. */
  reportTeamId?: string | null;
  /** One channel's report (`/async stats #channel`): only its messages and requests count. */
  channel?: string;
};

/** Weekly reports (SPEC §5) for a team, from the store alone. */
export async function buildReports(db: Db, teamId: string, opts: ReportOptions): Promise<WeeklyReport[]> {
  return (await buildReportSet(db, teamId, opts)).reports;
}

/**
 * The weekly reports, and each channel's figures over all those weeks together (for tables and
 * the HTML report). The counts are aggregated in the database (no message row is loaded here);
 * working time comes from the domain, as a table the queries search.
 */
export async function buildReportSet(db: Db, teamId: string, opts: ReportOptions): Promise<{ reports: WeeklyReport[]; channels: ChannelFigures[] }> {
  const charter = opts.charter ?? (await loadCharter(db, teamId)).charter;
  const asOf = opts.asOf.getTime();
  let weeks = opts.weeks;
  if (weeks === undefined) {
    const span = await activitySpan(db, teamId);
    if (span === null) return { reports: [], channels: [] };
    weeks = weeksBetween(span.first.getTime(), Math.min(asOf, span.last.getTime()), charter.timezone);
  }
  if (weeks.length === 0) return { reports: [], channels: [] };
  const bounds = [...new Set(weeks)].map((week) => {
    const [start, end] = weekBounds(week, charter.timezone);
    return { week, start, end };
  });
  const from = new Date(Math.min(...bounds.map((b) => b.start)) - reportLookbackMs(charter));
  const [counts, logged] = await Promise.all([countsOf(db, teamId, charter, from, opts.asOf, bounds, opts.channel), loadLogged(db, teamId, { from, to: opts.asOf })]);
  const set = reportSetFromCounts({ teamId: opts.reportTeamId === undefined ? teamId : opts.reportTeamId, charter, asOf, ...logged }, weeks, counts);
  return { reports: set.weeks, channels: set.channels };
}

async function countsOf(db: Db, teamId: string, charter: Charter, from: Date, asOf: Date, weeks: ReadonlyArray<{ week: string; start: number; end: number }>, channel?: string): Promise<ReportCounts> {
  if (asOf.getTime() < from.getTime()) return { channels: [], latencies: [] };
  const ruled = new Set([...charter.urgent_channels, ...Object.keys(charter.channel_overrides ?? {})]);
  const rules = [...ruled].map((channel) => {
    const r = channelRules(charter, channel);
    return { channel, urgent: r.urgent, normalMs: r.normalWorkingMinutes * 60_000, urgentMs: r.urgentMinutes * 60_000 };
  });
  const plain = channelRules(charter, '');
  // The requests queue is drained while the zones are read and the working table is laid out (CPU
  // here, the drain in the database); the counts wait for it. Handled at once, so a failure surfaces
  // where the counts await it, not as an unhandled rejection meanwhile.
  const drained = drainRequests(db, { team: teamId });
  drained.catch(() => undefined);
  let zones = [charter.timezone, ...(await teamZones(db, teamId)).filter((z) => z !== charter.timezone)];
  for (let round = 1; ; round += 1) {
    const table = workingTable(charter, zones, from.getTime(), asOf.getTime());
    const result = await storedReportCounts(db, teamId, {
      from,
      asOf,
      weeks,
      charterTz: charter.timezone,
      excludedChannels: charter.excluded_channels,
      reactionsCount: charter.reactions_count_as_response,
      normalMs: plain.normalWorkingMinutes * 60_000,
      urgentMs: plain.urgentMinutes * 60_000,
      rules,
      table,
      drained,
      ...(channel === undefined ? {} : { channel }),
    });
    if (result.ok) return result.counts;
    if (round >= ZONE_ROUNDS) throw new Error(`the team's time zones kept changing while its report was read (${result.missingZones.join(', ')})`);
    zones = [...zones, ...result.missingZones.filter((z) => !zones.includes(z))];
  }
}
