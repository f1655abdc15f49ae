import type { Charter } from '../domain/charter';
import { weekBounds, weeklyReportSet, weeksBetween, type ChannelFigures, type WeeklyReport } from '../domain/report';
import type { Executor } from '../store/activity';
import { loadCharter } from '../store/charters';
import { activitySpan, loadActivity } from '../store/report-data';

/** How far before a week's start messages are read, so that early follow-ups can see earlier requests. */
const LOOKBACK_MS = 60 * 86_400_000;

export type ReportOptions = {
  /** Monday dates in the charter timezone; default: every week from the first message to as_of. */
  weeks?: readonly string[];
  asOf: Date;
  /** Default: the charter stored for the team, else the defaults. */
  charter?: Charter;
  /** team_id as printed; default teamId. */
  reportTeamId?: string | null;
};

/** Weekly reports (SPEC §5) for a team, from the store alone. */
export async function buildReports(db: Executor, teamId: string, opts: ReportOptions): Promise<WeeklyReport[]> {
  return (await buildReportSet(db, teamId, opts)).reports;
}

/** The weekly reports, and each channel's figures over all those weeks together (for tables and the HTML report). */
export async function buildReportSet(db: Executor, teamId: string, opts: ReportOptions): Promise<{ reports: WeeklyReport[]; channels: ChannelFigures[] }> {
  const charter = opts.charter ?? (await loadCharter(db, teamId)).charter;
  const asOf = opts.asOf.getTime();
  let weeks = opts.weeks;
  if (weeks === undefined) {
    const span = await activitySpan(db, teamId);
    if (span === null) return { reports: [], channels: [] };
    weeks = weeksBetween(span.first.getTime(), Math.min(asOf, span.last.getTime()), charter.timezone);
  }
  if (weeks.length === 0) return { reports: [], channels: [] };
  const starts = weeks.map((w) => weekBounds(w, charter.timezone)[0]);
  const from = new Date(Math.min(...starts) - LOOKBACK_MS);
  const activity = await loadActivity(db, teamId, { from, to: opts.asOf });
  const set = weeklyReportSet({ teamId: opts.reportTeamId === undefined ? teamId : opts.reportTeamId, charter, asOf, ...activity }, weeks);
  return { reports: set.weeks, channels: set.channels };
}
