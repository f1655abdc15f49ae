import { parseCharter, type Charter } from '../domain/charter';
import { describeHistoryEntry, diffCharters, type CharterChange } from '../domain/charter-diff';
import type { Logger } from '../logger';
import { charterHistory, loadCharter, saveCharter } from '../store/charters';
import type { Store } from '../store/connect';
import { namedPeople } from '../store/users';

export type CharterDeps = { store: Store; logger: Logger; now: () => number };

/** Who saved a version, as `updated_by` holds it: 'cli' for `npm run charter -- --set`. */
export const CLI_EDITOR = 'cli';

/**
 * The charter's whole life: the one in force, saving a new version (with who and when, by the
 * app clock), and the history in words. Listeners and the CLI go through it, never the store.
 */
export class CharterService {
  constructor(private readonly deps: CharterDeps) {}

  /** The charter in force: the stored one, or the defaults (stored false, or problems when the stored one no longer validates). */
  current(teamId: string): Promise<{ charter: Charter; stored: boolean; problems: string[] }> {
    return loadCharter(this.deps.store.db, teamId);
  }

  /**
   * Stores a validated charter as `by`'s change (a user id, or 'cli') at the app clock's time,
   * and returns what changed from the charter in force before (the defaults when none was
   * stored, or the stored one no longer validates). Logs one info line naming the changed paths,
   * never their values. Throws RangeError on a charter that does not validate (a caller's bug).
   */
  async save(teamId: string, charter: Charter, by: string): Promise<CharterChange[]> {
    const checked = parseCharter(JSON.parse(JSON.stringify(charter)));
    if (!checked.ok) throw new RangeError(`CharterService.save needs a validated charter (${checked.problems.map((p) => p.path).join(', ')})`);
    if (by === '') throw new RangeError('CharterService.save needs who saved it');
    const at = new Date(this.deps.now());
    const changes = await this.deps.store.db.transaction().execute(async (trx) => {
      const before = await loadCharter(trx, teamId, { lock: true });
      await saveCharter(trx, teamId, checked.charter, by, at);
      return diffCharters(before.charter, checked.charter);
    });
    this.deps.logger.info({ team_id: teamId, changed: changes.map((c) => c.path) }, changes.length === 0 ? 'charter saved unchanged' : 'charter saved');
    return changes;
  }

  /**
   * SPEC §1: the charter's timezone defaults to the installing admin's. When a workspace installs
   * the app (OAuth mode) and has no charter stored yet, its first one is the defaults in the
   * installer's Slack time zone, saved as theirs (history: "<installer> changed timezone…").
   * Nothing changes when a charter is stored already, or the zone is unknown, invalid or UTC.
   * Returns the zone adopted, or null.
   */
  async adoptInstallerTimezone(teamId: string, installerId: string, tz: string | null): Promise<string | null> {
    if (tz === null || tz === 'UTC') return null;
    const checked = parseCharter({ timezone: tz });
    if (!checked.ok) return null;
    const at = new Date(this.deps.now());
    const adopted = await this.deps.store.db.transaction().execute(async (trx) => {
      if ((await loadCharter(trx, teamId, { lock: true })).stored) return false;
      await saveCharter(trx, teamId, checked.charter, installerId, at);
      return true;
    });
    if (!adopted) return null;
    this.deps.logger.info({ team_id: teamId, changed: ['timezone'] }, "charter's timezone set to the installing person's");
    return tz;
  }

  /**
   * The last `limit` saves in words, newest first, times in `viewerTz`: "Ana changed
   * response_windows.normal from 480 to 240 working minutes, 3 Dec 10:04". Names come from the
   * users directory (display name with & < > escaped, else <@U…>); 'cli' → "the CLI"; a
   * forgotten person → "someone".
   * A version that no longer validates shows as "(unreadable)".
   */
  async history(teamId: string, viewerTz: string, limit = 10): Promise<string[]> {
    const { db } = this.deps.store;
    const versions = await charterHistory(db, teamId, limit);
    const listed = versions.slice(0, Math.max(0, Math.floor(limit)));
    const ids = [...new Set(listed.map((v) => v.updatedBy).filter((u): u is string => u !== null && u !== CLI_EDITOR))];
    const people = await namedPeople(db, teamId, ids);
    const who = (by: string | null): string => {
      if (by === null) return 'someone';
      if (by === CLI_EDITOR) return 'the CLI';
      const name = people.get(by)?.displayName;
      // Escaped for Slack mrkdwn (the lines carry <#C…> and <@U…> links, so the caller cannot escape them whole).
      return name !== null && name !== undefined && name.trim() !== '' ? name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : `<@${by}>`;
    };
    const now = this.deps.now();
    return listed.map((v, i) => {
      const prev = versions[i + 1];
      const unreadable = v.charter === null ? ('entry' as const) : prev !== undefined && prev.charter === null ? ('previous' as const) : undefined;
      const changes = v.charter !== null && prev?.charter ? diffCharters(prev.charter, v.charter) : [];
      return describeHistoryEntry({ who: who(v.updatedBy), at: v.at.getTime(), tz: viewerTz, changes, first: prev === undefined, now, ...(unreadable ? { unreadable } : {}) });
    });
  }
}
