import { focusEnd, SNOOZE_MAX_DAYS, type FocusUntil } from '../domain/commands';
import type { Logger } from '../logger';
import { loadCharter } from '../store/charters';
import type { Store } from '../store/connect';
import { endFocus, startFocus } from '../store/focus';
import { endSnooze, snoozeUntil } from '../store/nudges';
import type { PersonalService } from './me';

const DAY_MS = 86_400_000;

export type AvailabilityDeps = { store: Store; logger: Logger; now: () => number; people: PersonalService };

export type FocusStarted = { ok: true; start: number; end: number; tz: string } | { ok: false; problem: string };

/**
 * A person's own availability: focus sessions (`/async focus`, App Home) and nudge snoozes
 * (`/async snooze`). Times are read in the person's own zone.
 */
export class AvailabilityService {
  constructor(private readonly deps: AvailabilityDeps) {}

  /** Starts focus until `until` (in the caller's zone); an open session is replaced. */
  async focus(teamId: string, userId: string, until: FocusUntil): Promise<FocusStarted> {
    const { db } = this.deps.store;
    const now = this.deps.now();
    const { charter } = await loadCharter(db, teamId);
    const caller = await this.deps.people.caller(teamId, userId, charter);
    const end = focusEnd(until, now, caller.tz, charter);
    if (!end.ok) return end;
    await startFocus(db, teamId, userId, { start: new Date(now), end: new Date(end.end) });
    this.deps.logger.info({ team_id: teamId, minutes: Math.round((end.end - now) / 60_000) }, 'focus started');
    return { ok: true, start: now, end: end.end, tz: caller.tz };
  }

  /** Ends the caller's focus now; false when they were not in focus. */
  async focusOff(teamId: string, userId: string): Promise<boolean> {
    return endFocus(this.deps.store.db, teamId, userId, new Date(this.deps.now()));
  }

  /** No nudges to the caller for `days` whole days (1..SNOOZE_MAX_DAYS) from now; returns the end. */
  async snooze(teamId: string, userId: string, days: number): Promise<Date> {
    if (!Number.isInteger(days) || days < 1 || days > SNOOZE_MAX_DAYS) throw new RangeError(`snooze days must be a whole number from 1 to ${SNOOZE_MAX_DAYS}`);
    const until = new Date(this.deps.now() + days * DAY_MS);
    await snoozeUntil(this.deps.store.db, teamId, userId, until);
    return until;
  }

  /** Nudges resume now; false when the caller was not snoozed. */
  async snoozeOff(teamId: string, userId: string): Promise<boolean> {
    return endSnooze(this.deps.store.db, teamId, userId);
  }
}
