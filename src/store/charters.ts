import { defaultCharter, parseCharter, type Charter } from '../domain/charter';
import type { Executor } from './activity';

/** The charter in force (table `charters`) and every version saved (table `charter_history`). Every query names the team. */

/** The stored JSON as a charter; null when it no longer validates (or is not JSON at all). */
function readCharter(v: unknown): { ok: true; charter: Charter } | { ok: false; problems: string[] } {
  let data: unknown = v;
  if (typeof v === 'string') {
    try {
      data = JSON.parse(v);
    } catch {
      return { ok: false, problems: ['(charter): not JSON'] };
    }
  }
  const parsed = parseCharter(data);
  return parsed.ok ? parsed : { ok: false, problems: parsed.problems.map((p) => `${p.path}: ${p.message}`) };
}

/** Charters parsed from their stored text, by that text: a hot path (every mention) parses each version once. */
const parsedByText = new Map<string, ReturnType<typeof readCharter>>();
const PARSED_MAX = 64;

let defaultInForce: Charter | null = null;
/**
 * The defaults as one object, frozen (shared by every caller, like the parsed charters above): a
 * workspace without a charter is as hot a path as one with, and the nudges' per-charter caches
 * key on the object.
 */
function sharedDefault(): Charter {
  defaultInForce ??= deepFreeze(defaultCharter());
  return defaultInForce;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** The charter in force from its stored text (null: none stored), as loadCharter answers. */
export function charterFromText(text: string | null): { charter: Charter; stored: boolean; problems: string[] } {
  if (text === null) return { charter: sharedDefault(), stored: false, problems: [] };
  let parsed = parsedByText.get(text);
  if (parsed === undefined) {
    parsed = readCharter(text);
    if (parsedByText.size >= PARSED_MAX) parsedByText.clear();
    parsedByText.set(text, parsed);
  }
  return parsed.ok ? { charter: parsed.charter, stored: true, problems: [] } : { charter: sharedDefault(), stored: true, problems: parsed.problems };
}

/**
 * The charter in force for a workspace: the stored one, or the defaults when none was set.
 * A stored charter that no longer validates (an older schema) falls back to the defaults and
 * says why in `problems`. `lock` (inside a transaction) holds the row until it ends, so a save
 * that follows diffs against what it replaces.
 */
export async function loadCharter(db: Executor, teamId: string, opts: { lock?: boolean } = {}): Promise<{ charter: Charter; stored: boolean; problems: string[] }> {
  const query = db.selectFrom('charters').select('charter').where('team_id', '=', teamId);
  const row = await (opts.lock === true ? query.forUpdate() : query).executeTakeFirst();
  if (row === undefined) return { charter: defaultCharter(), stored: false, problems: [] };
  const parsed = readCharter(row.charter);
  if (parsed.ok) return { charter: parsed.charter, stored: true, problems: [] };
  return { charter: defaultCharter(), stored: true, problems: parsed.problems };
}

/**
 * Stores a validated charter as the one in force and appends it to the history, both stamped
 * `at` (default: this machine's clock). `updatedBy` is a user id or the literal 'cli'
 * (forget-me finds a person's saves by their id in `updated_by`).
 */
export async function saveCharter(db: Executor, teamId: string, charter: Charter, updatedBy: string, at: Date = new Date()): Promise<void> {
  const json = JSON.stringify(charter);
  await db
    .insertInto('charters')
    .values({ team_id: teamId, charter: json, updated_by: updatedBy, updated_at: at })
    .onConflict((oc) => oc.column('team_id').doUpdateSet({ charter: json, updated_by: updatedBy, updated_at: at }))
    .execute();
  await db.insertInto('charter_history').values({ team_id: teamId, charter: json, updated_by: updatedBy, updated_at: at }).execute();
}

/** One saved version: the charter (null when it no longer validates), who saved it (user id, 'cli', or null once forgotten), when. */
export type CharterVersion = { charter: Charter | null; updatedBy: string | null; at: Date };

/**
 * The last `limit` saved versions of a workspace's charter, newest first (in the order they were
 * saved), plus the one before the oldest of them when there is one: up to `limit + 1` rows, so
 * that every listed version can be compared with its predecessor. Fewer than `limit + 1` rows
 * means the last one is the first version ever saved. limit ≤ 0 → [].
 */
export async function charterHistory(db: Executor, teamId: string, limit: number): Promise<CharterVersion[]> {
  if (!(limit > 0)) return [];
  const rows = await db
    .selectFrom('charter_history')
    .select(['charter', 'updated_by', 'updated_at'])
    .where('team_id', '=', teamId)
    .orderBy('id', 'desc')
    .limit(Math.floor(limit) + 1)
    .execute();
  return rows.map((r) => {
    const parsed = readCharter(r.charter);
    return { charter: parsed.ok ? parsed.charter : null, updatedBy: r.updated_by, at: new Date(r.updated_at) };
  });
}
