import type { Charter } from '../domain/charter';
import { chartAltText, digestChartSpec, type VegaLiteSpec } from '../domain/charts';
import { buildDigest, chartTitle, digestWeekFor, lastDigestSlot, TREND_WEEKS, weeksEndingWith, type ChannelInfo, type Digest } from '../domain/digest';
import { weekBounds, weekStartOf } from '../domain/report';
import type { Logger } from '../logger';
import { workspaceSince } from '../store/activity';
import { loadCharter } from '../store/charters';
import type { Store } from '../store/connect';
import { claimDigest, digestRow, markDigestChart, markDigestPosted, releaseDigest, renewDigest, type DigestClaim } from '../store/digests';
import { meetingNudgeOutcomes } from '../store/nudges';
import { buildReports } from './reports';
import { slackErrorCode, type DigestSlackPort } from './slack-port';

/** How long a claim holds before another replica may take over (a crash in between); renewed before every write to Slack. */
export const DIGEST_LEASE_MS = 10 * 60_000;
/** A digest missed by more than this (the app was down) is skipped rather than posted late, and the log says so. */
export const DIGEST_CATCH_UP_MS = 24 * 3_600_000;
/** After this many tries of one round, a chart that will not upload is given up (the message stays). */
export const CHART_TRIES = 5;
/** Channels whose size is asked of Slack at most, busiest first. */
const CHANNEL_LOOKUPS = 15;
/** A post found by its metadata may be up to this much older than the claim that made it (clock skew). */
const FIND_MARGIN_MS = 60_000;

export type DigestDeps = {
  store: Store;
  logger: Logger;
  /** The workspaces this process posts digests for (token mode: auth.test's team; OAuth mode: the installed ones). */
  teams: () => readonly string[];
  /**
   * Absent: the digest can be composed (preview) but not posted. One port (token mode, the CLI), or
   * each workspace's own (OAuth mode; null for a workspace no longer served).
   */
  slack?: DigestSlackPort | ((teamId: string) => DigestSlackPort | null);
  now: () => number;
  renderChart: (spec: VegaLiteSpec) => Promise<Buffer>;
  leaseMs?: number;
};

export type DigestOutcome =
  | { status: 'posted'; channel: string; ts: string; chart: string | null }
  | { status: 'found'; channel: string; ts: string; chart: string | null }
  | { status: 'already_posted'; channel: string | null; ts: string | null }
  | { status: 'busy' }
  | { status: 'no_channel' }
  /** `reason`: what Slack (or the channel check) said; `posted`: the message went out (and stays), what failed is its chart, tried again after retryAt. */
  | { status: 'failed'; code: string; message: string; reason: string; retryAt: Date; posted?: { channel: string; ts: string } };

/** Another claimant took over (this one outlived its lease): stop without writing anything. */
class ClaimLost extends Error {
  override name = 'ClaimLost';
}

/** A failure that says what a person should do. */
export class DigestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DigestError';
  }
}

/**
 * The weekly digest: composes it from the store, posts it once per workspace and week (claim,
 * find-by-metadata after a crash, post, chart in the thread), and plans it from the charter at
 * every tick, so a charter change takes effect in every replica at the next minute.
 */
export class DigestService {
  private readonly warned = new Set<string>();
  private readonly done = new Set<string>();
  constructor(private readonly deps: DigestDeps) {}

  /** The workspace's Slack calls, or null when the digest cannot reach Slack for it. */
  private slackFor(teamId: string): DigestSlackPort | null {
    const s = this.deps.slack;
    if (s === undefined) return null;
    return typeof s === 'function' ? s(teamId) : s;
  }

  /** The digest of a week as of an instant: its report, the five weeks before, nudges and channel sizes. */
  async compose(teamId: string, weekStart: string, asOf: Date, charter?: Charter): Promise<Digest> {
    const { db } = this.deps.store;
    const c = charter ?? (await loadCharter(db, teamId)).charter;
    const reports = await buildReports(db, teamId, { weeks: weeksEndingWith(weekStart, TREND_WEEKS), asOf, charter: c });
    const [from, to] = weekBounds(weekStart, c.timezone);
    const nudges = await meetingNudgeOutcomes(db, teamId, new Date(from), new Date(to));
    const channelInfo = new Map<string, ChannelInfo>();
    const busiest = [...(reports.at(-1)?.channels ?? [])].sort((a, b) => b.messages - a.messages).slice(0, CHANNEL_LOOKUPS);
    const slack = this.slackFor(teamId);
    for (const ch of slack ? busiest : []) {
      const info = await slack?.channelInfo(ch.channel).catch((err: unknown) => {
        this.deps.logger.warn({ err, channel: ch.channel }, 'conversations.info failed: the channel is left out of the digest');
        return null;
      });
      if (info) channelInfo.set(ch.channel, { name: info.name, members: info.members, isPrivate: info.isPrivate });
    }
    return buildDigest({ reports, nudges, channelInfo, minGroupSize: c.min_group_size });
  }

  /** This week so far, as of now (`/async digest`): the same digest, composed for one person's eyes. */
  async preview(teamId: string): Promise<Digest> {
    const now = this.deps.now();
    const { charter } = await loadCharter(this.deps.store.db, teamId);
    return this.compose(teamId, weekStartOf(now, charter.timezone), new Date(now), charter);
  }

  /**
   * Posts the (team, week) digest through the claim: once, whoever asks (scheduler, replicas,
   * CLI). `force` posts again even when it was posted. Never throws for Slack's refusals: they
   * come back as an outcome and the claim is retried later with a backoff, which `now` (a person
   * asking) does not wait out.
   */
  async post(teamId: string, weekStart: string, opts: { force?: boolean; asOf?: Date; charter?: Charter; now?: boolean } = {}): Promise<DigestOutcome> {
    const { store, logger } = this.deps;
    const slack = this.slackFor(teamId);
    if (slack === null) throw new Error(this.deps.slack === undefined ? 'the digest cannot be posted without a Slack client' : `workspace ${teamId} is not served (not installed): its digest cannot be posted`);
    const charter = opts.charter ?? (await loadCharter(store.db, teamId)).charter;
    const channel = charter.digest.channel;
    const log = { team_id: teamId, week_start: weekStart };
    if (channel === null) {
      this.warnNoChannel(teamId, weekStart);
      return { status: 'no_channel' };
    }
    const now = new Date(this.deps.now());
    const claim = await claimDigest(store.db, teamId, weekStart, now, this.lease(), { force: opts.force === true, now: opts.now === true });
    if (claim === null) {
      const row = await digestRow(store.db, teamId, weekStart);
      if (row?.postedAt && row.chartFileId !== null) return { status: 'already_posted', channel: row.channelId, ts: row.messageTs };
      return { status: 'busy' };
    }
    const { db } = store;
    const own = async (written: Promise<boolean>) => {
      if (!(await written)) throw new ClaimLost();
    };
    const since = claim.roundStartedAt.getTime() - FIND_MARGIN_MS;
    // The message once it is in Slack (this round's, or an earlier claimant's).
    let posted: { channel: string; ts: string } | undefined;
    try {
      let target = claim.channelId ?? channel;
      let ts = claim.messageTs;
      let found = false;
      // An earlier claimant of this round may have posted and died before marking it: look first.
      if (ts === null && claim.attempts > 1) {
        ts = await slack.findDigest(target, teamId, weekStart, since);
        found = ts !== null;
        if (ts !== null) await own(markDigestPosted(db, claim, target, ts, new Date(this.deps.now())));
      }
      let digest: Digest | undefined;
      if (ts === null) {
        target = channel;
        digest = await this.compose(teamId, weekStart, opts.asOf ?? now, charter);
        // Still ours, for a whole lease from now: no other replica posts meanwhile.
        await own(renewDigest(db, claim, target, new Date(this.deps.now()), this.lease()));
        ts = await this.postJoining(slack, target, teamId, digest, since);
        await own(markDigestPosted(db, claim, target, ts, new Date(this.deps.now())));
        logger.info({ ...log, channel: target, ts }, 'digest posted');
      }
      posted = { channel: target, ts };
      const chart = await this.chart(claim, slack, target, ts, digest ?? (await this.compose(teamId, weekStart, opts.asOf ?? now, charter)));
      this.done.add(`${teamId}:${weekStart}`);
      return found ? { status: 'found', channel: target, ts, chart } : { status: 'posted', channel: target, ts, chart };
    } catch (err) {
      if (err instanceof ClaimLost) {
        logger.warn(log, 'digest: another process took over this claim after its lease ran out; leaving it to that process');
        return { status: 'busy' };
      }
      const code = err instanceof DigestError ? err.code : (slackErrorCode(err) ?? (err as { code?: string }).code ?? 'error');
      const retryAt = new Date(this.deps.now() + Math.min(3_600_000, 60_000 * 2 ** Math.min(6, claim.attempts - 1)));
      const cause = err instanceof DigestError ? err.message : slackErrorCode(err) !== null ? `Slack answered ${code}` : `${(err as Error)?.message ?? String(err)}`;
      const why = posted !== undefined ? `digest posted to ${posted.channel} (ts ${posted.ts}), but not its chart: ${cause}` : err instanceof DigestError || slackErrorCode(err) !== null ? cause : `digest not posted (${cause})`;
      await releaseDigest(db, claim, retryAt, code);
      logger.warn({ ...log, err, code, retry_at: retryAt.toISOString() }, `${why}; it will be tried again after ${retryAt.toISOString()}`);
      return { status: 'failed', code, message: why, reason: cause, retryAt, ...(posted !== undefined ? { posted } : {}) };
    }
  }

  private lease(): number {
    return this.deps.leaseMs ?? DIGEST_LEASE_MS;
  }

  /** One scheduler tick: every served workspace whose digest slot has come gets its digest posted. */
  async tick(): Promise<void> {
    const { store, logger } = this.deps;
    if (this.deps.slack === undefined) return;
    const now = this.deps.now();
    for (const teamId of this.deps.teams()) {
      try {
        const { charter } = await loadCharter(store.db, teamId);
        const slot = lastDigestSlot(now, charter.digest.day, charter.digest.time, charter.timezone);
        const week = digestWeekFor(slot, charter.timezone);
        if (this.done.has(`${teamId}:${week}`)) continue;
        // No channel: nothing would be posted either way; that is what the log must say.
        if (charter.digest.channel === null) {
          this.warnNoChannel(teamId, week);
          continue;
        }
        if (now - slot > DIGEST_CATCH_UP_MS) {
          await this.reportMissed(teamId, week, slot);
          continue;
        }
        const row = await digestRow(store.db, teamId, week);
        if (row !== null && ((row.postedAt !== null && row.chartFileId !== null) || row.leaseUntil.getTime() > now)) continue;
        await this.post(teamId, week, { charter });
      } catch (err) {
        logger.error({ err, team_id: teamId }, 'digest tick failed; the next tick tries again');
      }
    }
  }

  /**
   * Once per process and week: a digest whose slot passed over a day ago without it being posted,
   * when the app served the workspace before that slot (a new install does not owe older weeks).
   */
  private async reportMissed(teamId: string, week: string, slot: number): Promise<void> {
    this.done.add(`${teamId}:${week}`);
    const row = await digestRow(this.deps.store.db, teamId, week);
    if (row?.postedAt) return;
    const servedSince = await workspaceSince(this.deps.store.db, teamId);
    if (row === null && (servedSince === null || servedSince.getTime() > slot)) return;
    this.deps.logger.warn(
      { team_id: teamId, week_start: week, slot: new Date(slot).toISOString(), last_error: row?.lastError ?? null },
      `the weekly digest for the week of ${week} was not posted within a day of its time and will not be posted by the schedule; post it with: npm run digest -- --team ${teamId} --week ${week} --post (in the production image: node dist/cli/digest.js --team ${teamId} --week ${week} --post)`,
    );
  }

  private warnNoChannel(teamId: string, week: string): void {
    const key = `${teamId}:${week}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.deps.logger.warn(
      { team_id: teamId, week_start: week },
      `weekly digest not posted: the charter has no digest.channel. Set it (digest: { channel: C0123ABCD }) with: npm run charter -- --team ${teamId} --set charter.yml`,
    );
  }

  /** chat.postMessage; on not_in_channel joins a public channel and posts again, else says what to do. */
  private async postJoining(slack: DigestSlackPort, channel: string, teamId: string, digest: Digest, since: number): Promise<string> {
    try {
      return await slack.postDigest(channel, teamId, digest, since);
    } catch (err) {
      const code = slackErrorCode(err);
      // Slack hides a private channel from an app that is not in it: to the app it does not exist.
      if (code === 'channel_not_found') throw new DigestError(code, `digest.channel ${channel} was not found: if it is a private channel, invite the app there with /invite @Async Charter; else pick another channel in the charter`);
      if (code !== 'not_in_channel') throw err;
      const info = await slack.channelInfo(channel);
      if (info === null) throw new DigestError('channel_not_found', `digest.channel ${channel} was not found: if it is a private channel, invite the app there with /invite @Async Charter; else pick another channel in the charter`);
      if (info.isArchived) throw new DigestError('is_archived', `digest.channel ${channel} is archived: pick another channel in the charter`);
      if (info.isPrivate) throw new DigestError('not_in_channel', `the app is not in the private digest channel ${channel}: invite it there with /invite @Async Charter`);
      await slack.joinChannel(channel);
      this.deps.logger.info({ channel }, 'joined the public digest channel');
      return slack.postDigest(channel, teamId, digest, since);
    }
  }

  /** The chart in the message's thread, once: looked for first when an earlier claimant may have uploaded it. */
  private async chart(claim: DigestClaim, slack: DigestSlackPort, channel: string, ts: string, digest: Digest): Promise<string | null> {
    const { store } = this.deps;
    if (claim.chartFileId !== null) return claim.chartFileId || null;
    try {
      const existing = claim.attempts > 1 ? await slack.findChart(channel, ts) : null;
      const title = chartTitle(digest.week_end);
      let fileId = existing;
      if (fileId === null) {
        const png = await this.deps.renderChart(digestChartSpec(digest.trend, title));
        if (!(await renewDigest(store.db, claim, channel, new Date(this.deps.now()), this.lease()))) throw new ClaimLost();
        fileId = await slack.uploadChart(channel, ts, png, { weekStart: digest.week_start, title, altText: chartAltText(digest.trend, title).slice(0, 1000) });
      }
      if (!(await markDigestChart(store.db, claim, fileId, new Date(this.deps.now())))) throw new ClaimLost();
      return fileId;
    } catch (err) {
      if (err instanceof ClaimLost || claim.attempts < CHART_TRIES) throw err;
      // The message is posted; a chart that keeps failing is not worth more tries.
      this.deps.logger.warn({ err, team_id: claim.teamId, week_start: claim.weekStart }, 'digest chart given up after repeated failures');
      if (!(await markDigestChart(store.db, claim, '', new Date(this.deps.now())))) throw new ClaimLost();
      return null;
    }
  }
}
