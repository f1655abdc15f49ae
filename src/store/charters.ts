import { defaultCharter, parseCharter, type Charter } from '../domain/charter';
import type { Executor } from './activity';

/**
 * The charter in force for a workspace: the stored one, or the defaults when none was set.
 * A stored charter that no longer validates (an older schema) falls back to the defaults and
 * says why in `problems`.
 */
export async function loadCharter(db: Executor, teamId: string): Promise<{ charter: Charter; stored: boolean; problems: string[] }> {
  const row = await db.selectFrom('charters').select('charter').where('team_id', '=', teamId).executeTakeFirst();
  if (row === undefined) return { charter: defaultCharter(), stored: false, problems: [] };
  const parsed = parseCharter(typeof row.charter === 'string' ? JSON.parse(row.charter) : row.charter);
  if (parsed.ok) return { charter: parsed.charter, stored: true, problems: [] };
  return { charter: defaultCharter(), stored: true, problems: parsed.problems.map((p) => `${p.path}: ${p.message}`) };
}

/** Stores a validated charter as the one in force and appends it to the history. */
export async function saveCharter(db: Executor, teamId: string, charter: Charter, updatedBy: string): Promise<void> {
  const json = JSON.stringify(charter);
  await db
    .insertInto('charters')
    .values({ team_id: teamId, charter: json, updated_by: updatedBy })
    .onConflict((oc) => oc.column('team_id').doUpdateSet({ charter: json, updated_by: updatedBy, updated_at: new Date() }))
    .execute();
  await db.insertInto('charter_history').values({ team_id: teamId, charter: json, updated_by: updatedBy }).execute();
}
