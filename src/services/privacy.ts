import type { Logger } from '../logger';
import type { Store } from '../store/connect';
import { forgetPerson, type ForgetCounts } from '../store/forget';

export type { ForgetCounts };

export type PrivacyDeps = { store: Store; logger: Logger };

/**
 * `/async forget-me`, after the person confirmed: their data goes in one transaction. The log
 * line carries the team and the counts only: neither the person's id (it was just forgotten)
 * nor any text.
 */
export class PrivacyService {
  constructor(private readonly deps: PrivacyDeps) {}

  /** Deletes everything naming userId in teamId; rows deleted or changed per table. */
  async forgetMe(teamId: string, userId: string): Promise<ForgetCounts> {
    const counts = await forgetPerson(this.deps.store.db, teamId, userId);
    this.deps.logger.info({ team_id: teamId, total: counts.total, tables: counts.tables }, 'forget-me: a person was forgotten');
    return counts;
  }
}

/** How each count reads to the person: [one, many]. Keys not listed read as "N <key> rows". */
const LABELS: ReadonlyArray<[string, string, string]> = [
  ['messages', 'message', 'messages'],
  ['messages.mentions', "mention in others' messages", "mentions in others' messages"],
  ['reactions', 'reaction', 'reactions'],
  ['nudges', 'nudge', 'nudges'],
  ['nudge_snoozes', 'nudge snooze', 'nudge snoozes'],
  ['focus_sessions', 'focus session', 'focus sessions'],
  ['decisions', 'decision', 'decisions'],
  ['decisions.summary', "mention in others' decisions", "mentions in others' decisions"],
  ['pulse_responses', 'pulse answer', 'pulse answers'],
  ['channel_members', 'channel membership', 'channel memberships'],
  ['charters', 'charter naming you', 'charters naming you'],
  ['charter_history', 'past charter version naming you', 'past charter versions naming you'],
  ['users', 'directory entry', 'directory entries'],
];

/**
 * The answer to `/async forget-me`: "Done. 25 rows that named you were deleted or no longer
 * name you: 3 messages, 4 mentions in others' messages, …". Zero counts are left out; total 0
 * says that nothing was stored about the person.
 */
export function forgetSummary(counts: ForgetCounts): string {
  if (counts.total === 0) return 'Nothing was stored about you in this workspace, so there was nothing to delete.';
  const known = new Set(LABELS.map(([key]) => key));
  const parts = LABELS.filter(([key]) => (counts.tables[key] ?? 0) > 0).map(([key, one, many]) => {
    const n = counts.tables[key] ?? 0;
    return `${n} ${n === 1 ? one : many}`;
  });
  for (const [key, n] of Object.entries(counts.tables)) if (!known.has(key) && n > 0) parts.push(`${n} ${key} ${n === 1 ? 'row' : 'rows'}`);
  const rows = counts.total === 1 ? '1 row that named you was deleted or no longer names you' : `${counts.total} rows that named you were deleted or no longer name you`;
  return `Done. ${rows}: ${parts.join(', ')}. Messages in Slack itself are not affected.`;
}
