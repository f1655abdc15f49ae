import { sql } from 'kysely';
import type { Executor } from './activity';

/**
 * OAuth mode's installed workspaces (table `installations`): the one module that reads and writes
 * it. The installation itself arrives and leaves sealed (src/slack/installations.ts opens it); the
 * store never sees a token in clear.
 */

export type InstallationRow = {
  teamId: string;
  enterpriseId: string | null;
  botUserId: string | null;
  botId: string | null;
  /** The sealed installation (tokens inside). */
  sealed: Buffer;
};

/** Stores an installation, replacing the workspace's earlier one (a reinstall brings new scopes or a new token). */
export async function saveInstallation(db: Executor, row: InstallationRow): Promise<void> {
  const values = { team_id: row.teamId, enterprise_id: row.enterpriseId, bot_user_id: row.botUserId, bot_id: row.botId, sealed: row.sealed };
  await db
    .insertInto('installations')
    .values(values)
    .onConflict((oc) =>
      oc.column('team_id').doUpdateSet({ enterprise_id: row.enterpriseId, bot_user_id: row.botUserId, bot_id: row.botId, sealed: row.sealed, updated_at: sql`now()` }),
    )
    .execute();
}

const toRow = (r: { team_id: string; enterprise_id: string | null; bot_user_id: string | null; bot_id: string | null; sealed: Uint8Array }): InstallationRow => ({
  teamId: r.team_id,
  enterpriseId: r.enterprise_id,
  botUserId: r.bot_user_id,
  botId: r.bot_id,
  // pg gives a Buffer, PGlite a Uint8Array.
  sealed: Buffer.from(r.sealed),
});

/** The workspace's installation, or null when it is not installed. */
export async function loadInstallation(db: Executor, teamId: string): Promise<InstallationRow | null> {
  const r = await db.selectFrom('installations').select(['team_id', 'enterprise_id', 'bot_user_id', 'bot_id', 'sealed']).where('team_id', '=', teamId).executeTakeFirst();
  return r === undefined ? null : toRow(r);
}

/** Every installed workspace, by team id. */
export async function listInstallations(db: Executor): Promise<InstallationRow[]> {
  const rows = await db.selectFrom('installations').select(['team_id', 'enterprise_id', 'bot_user_id', 'bot_id', 'sealed']).orderBy('team_id').execute();
  return rows.map(toRow);
}

/** Forgets a workspace's installation (uninstalled, or its tokens revoked); true when there was one. */
export async function deleteInstallation(db: Executor, teamId: string): Promise<boolean> {
  const r = await db.deleteFrom('installations').where('team_id', '=', teamId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
