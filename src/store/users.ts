import { sql } from 'kysely';
import type { UserRecord } from '../domain/activity';
import type { Person } from '../domain/requests';
import type { Executor } from './activity';

/**
 * The user directory (table `users`): the one module that reads and writes it. Rows stay here;
 * callers get domain records (Person) keyed by user id.
 */

/** A person as the directory knows them, with their display name (null when Slack gave none). */
export type NamedPerson = Person & { displayName: string | null };

/**
 * Writes one person to the directory. 'refresh' (user_change, users.json) overwrites what is
 * stored; 'fill' (a users.info lookup of someone unknown) never overwrites a newer refresh.
 */
export async function upsertUser(db: Executor, teamId: string, u: UserRecord, mode: 'fill' | 'refresh'): Promise<void> {
  const row = {
    team_id: teamId,
    user_id: u.userId,
    user_team_id: u.userTeamId,
    display_name: u.displayName,
    tz: u.tz,
    is_bot: u.isBot,
    is_app_user: u.isAppUser,
    deleted: u.deleted,
    is_admin: u.isAdmin,
    is_owner: u.isOwner,
    is_primary_owner: u.isPrimaryOwner,
    is_restricted: u.isRestricted,
  };
  const { team_id: _t, user_id: _u, ...rest } = row;
  await db
    .insertInto('users')
    .values(row)
    .onConflict((oc) => {
      const target = oc.columns(['team_id', 'user_id']);
      return mode === 'fill' ? target.doNothing() : target.doUpdateSet({ ...rest, updated_at: sql`now()` });
    })
    .execute();
}

/** Of the given ids, those not yet in the directory. */
export async function unknownUsers(db: Executor, teamId: string, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const known = await db.selectFrom('users').select('user_id').where('team_id', '=', teamId).where('user_id', 'in', [...userIds]).execute();
  const have = new Set(known.map((r) => r.user_id));
  return [...new Set(userIds)].filter((u) => !have.has(u));
}

/** Everyone in a workspace's directory (bots and deactivated people included), by user id. */
export async function teamPeople(db: Executor, teamId: string): Promise<Map<string, Person>> {
  const rows = await db.selectFrom('users').select(['user_id', 'tz', 'is_bot', 'deleted']).where('team_id', '=', teamId).execute();
  return new Map(rows.map((u) => [u.user_id, { tz: u.tz, isBot: u.is_bot, deleted: u.deleted }]));
}

/** The given people as the directory knows them, by user id; ids it does not know are absent. */
export async function namedPeople(db: Executor, teamId: string, userIds: readonly string[]): Promise<Map<string, NamedPerson>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['user_id', 'tz', 'is_bot', 'deleted', 'display_name']).where('team_id', '=', teamId).where('user_id', 'in', [...userIds]).execute();
  return new Map(rows.map((u) => [u.user_id, { tz: u.tz, isBot: u.is_bot, deleted: u.deleted, displayName: u.display_name }]));
}

/** One person's IANA time zone; null when they are not in the directory or Slack gave none. */
export async function personTz(db: Executor, teamId: string, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('tz').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
  return row?.tz ?? null;
}

/** What the app shows a person about themselves: zone, name and whether they administer the workspace. Null when unknown. */
export type Profile = { tz: string | null; displayName: string | null; isAdmin: boolean; isOwner: boolean; isBot: boolean };

export async function personProfile(db: Executor, teamId: string, userId: string): Promise<Profile | null> {
  const r = await db.selectFrom('users').select(['tz', 'display_name', 'is_admin', 'is_owner', 'is_primary_owner', 'is_bot']).where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
  return r === undefined ? null : { tz: r.tz, displayName: r.display_name, isAdmin: r.is_admin, isOwner: r.is_owner || r.is_primary_owner, isBot: r.is_bot };
}
