import { parseCharter, type Charter, type CharterProblem } from '../domain/charter';
import type { CharterChange } from '../domain/charter-diff';
import type { UserRecord } from '../domain/activity';
import type { Logger } from '../logger';
import type { CharterService } from './charter';

export type SettingsDeps = {
  logger: Logger;
  charters: CharterService;
  /** users.info now (not the cached row): who may edit is never decided on stale data. */
  refreshPerson: (teamId: string, userId: string) => Promise<UserRecord | null>;
};

/** One channel's override as the settings view edits it; null removes the channel's override. */
export type OverrideInput = { response_windows?: { normal?: { working_minutes: number }; urgent?: { minutes: number } }; nudges?: Partial<Charter['nudges']>; urgent?: boolean } | null;

export type SaveOutcome = { status: 'saved'; changes: CharterChange[] } | { status: 'invalid'; problems: CharterProblem[] } | { status: 'forbidden' };

/**
 * The charter settings, for workspace admins, owners and the charter's editors only: checked
 * against Slack (users.info) when the settings open and again on every save, so a forged
 * submission from anyone else changes nothing (and is logged).
 */
export class CharterSettingsService {
  constructor(private readonly deps: SettingsDeps) {}

  /** True for an active admin, owner or primary owner (per users.info), or someone the charter names as editor. */
  async mayEdit(teamId: string, userId: string): Promise<boolean> {
    const [person, { charter }] = await Promise.all([this.deps.refreshPerson(teamId, userId), this.deps.charters.current(teamId)]);
    if (person === null || person.deleted || person.isBot) return false;
    return person.isAdmin || person.isOwner || person.isPrimaryOwner || charter.editors.includes(userId);
  }

  /** The charter to open the settings with; null when the person may not edit it. */
  async open(teamId: string, userId: string): Promise<Charter | null> {
    if (!(await this.mayEdit(teamId, userId))) {
      this.deps.logger.info({ team_id: teamId }, 'charter settings refused: not an admin, owner or editor');
      return null;
    }
    return (await this.deps.charters.current(teamId)).charter;
  }

  /**
   * Validates the submitted charter (channel overrides kept from the stored one: they are edited
   * in their own view) and stores it as `userId`'s change.
   */
  async save(teamId: string, userId: string, input: Record<string, unknown>): Promise<SaveOutcome> {
    if (!(await this.mayEdit(teamId, userId))) return this.forbidden(teamId);
    const { charter: current } = await this.deps.charters.current(teamId);
    const parsed = parseCharter({ ...input, ...(current.channel_overrides ? { channel_overrides: current.channel_overrides } : {}) });
    if (!parsed.ok) return { status: 'invalid', problems: parsed.problems };
    return { status: 'saved', changes: await this.deps.charters.save(teamId, parsed.charter, userId) };
  }

  /** Sets (or removes, with null) one channel's override in the stored charter. */
  async saveOverride(teamId: string, userId: string, channel: string, override: OverrideInput): Promise<SaveOutcome> {
    if (!(await this.mayEdit(teamId, userId))) return this.forbidden(teamId);
    const { charter } = await this.deps.charters.current(teamId);
    const rest = Object.fromEntries(Object.entries(charter.channel_overrides ?? {}).filter(([id]) => id !== channel));
    const overrides = override === null ? rest : { ...rest, [channel]: override };
    const { channel_overrides: _old, ...base } = charter;
    const parsed = parseCharter(Object.keys(overrides).length === 0 ? base : { ...base, channel_overrides: overrides });
    if (!parsed.ok) return { status: 'invalid', problems: parsed.problems };
    return { status: 'saved', changes: await this.deps.charters.save(teamId, parsed.charter, userId) };
  }

  private forbidden(teamId: string): SaveOutcome {
    this.deps.logger.warn({ team_id: teamId }, 'charter change refused: the submitter is not an admin, owner or editor (nothing changed)');
    return { status: 'forbidden' };
  }
}
