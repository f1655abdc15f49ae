import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Logger } from '../logger';
import type { BotSelf } from './listeners/events';

/**
 * OAuth mode (several workspaces): installations kept sealed, and the workspaces this process
 * serves. An installation (bot token, scopes, installer) is stored only as AES-256-GCM ciphertext
 * under a key derived from TOKEN_ENCRYPTION_KEY, bound to its team id (a sealed row moved to
 * another team does not open). Tokens are held in clear in memory only, to call Slack.
 */

const SEAL_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The sealing key: HKDF-SHA256 of TOKEN_ENCRYPTION_KEY (any secret of 32+ characters) to 32 bytes. */
export function sealKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'async-charter', 'installation seal v1', 32));
}

/** A sealed installation that does not open: another key, another team's row, or altered bytes. */
export class SealError extends Error {
  override readonly name = 'SealError';
}

/** Seals text for one team: version byte, IV, GCM tag, ciphertext. */
export function seal(key: Buffer, teamId: string, text: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`team:${teamId}`));
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(SEAL_VERSION), iv, cipher.getAuthTag(), body]);
}

/** Opens what seal() made for the same team with the same key; else throws SealError. */
export function unseal(key: Buffer, teamId: string, sealed: Buffer): string {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== SEAL_VERSION) throw new SealError(`the installation of ${teamId} is not sealed in a known format`);
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(`team:${teamId}`));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError(`the installation of ${teamId} does not open with TOKEN_ENCRYPTION_KEY (another key, or altered)`);
  }
}

/** One stored installation as the store keeps it (src/store/installations.ts; src/slack never imports src/store). */
export type SealedInstallation = { teamId: string; enterpriseId: string | null; botUserId: string | null; botId: string | null; sealed: Buffer };

/** Where sealed installations live. */
export type InstallationRecords = {
  save(row: SealedInstallation): Promise<void>;
  load(teamId: string): Promise<SealedInstallation | null>;
  list(): Promise<SealedInstallation[]>;
  remove(teamId: string): Promise<boolean>;
};

/** A workspace the app serves: its bot and the bot token to call Slack with (OAuth mode: and who installed it). */
export type ServedWorkspace = { teamId: string; botUserId: string | null; botId: string | null; botToken: string; installerId?: string | null };

/**
 * The workspaces this process serves. Token mode: the one auth.test names. OAuth mode: every
 * installed one, read at start and kept current as workspaces install and uninstall.
 */
export type Workspaces = {
  readonly mode: 'token' | 'oauth';
  /** Whether the workspace is served: at once when this process knows it (OAuth mode: else asked of the store, for an install another process took). */
  serves(teamId: string): boolean | Promise<boolean>;
  served(): string[];
  /** The workspace and its bot token (token mode: the one, whatever the team asked about); null when not served. */
  get(teamId: string): ServedWorkspace | null;
  /** The app's own bot in that workspace (for Bolt's ignoreSelf verdict on events that skip Bolt). */
  self(teamId: string): BotSelf;
  /** The app's bot users in every served workspace. */
  appUserIds(): ReadonlySet<string>;
};

/** Something made per workspace from its bot token (a Web API client, a port): when first needed, and again when the token changes (a reinstall). */
export function perWorkspace<P>(make: (token: string) => P): (w: ServedWorkspace | null) => P | null {
  const made = new Map<string, { token: string; value: P }>();
  return (w) => {
    if (w === null) return null;
    let kept = made.get(w.teamId);
    if (kept?.token !== w.botToken) {
      kept = { token: w.botToken, value: make(w.botToken) };
      made.set(w.teamId, kept);
    }
    return kept.value;
  };
}

/**
 * Token mode's one workspace. Its token goes out for whatever a call is about, as it did before
 * OAuth mode existed (a payload whose team is missing or mangled still reaches Slack with it, and
 * Slack answers for its own workspace); only serves() tells its team from another.
 */
export function singleWorkspace(w: ServedWorkspace): Workspaces {
  const ids: ReadonlySet<string> = new Set(w.botUserId ? [w.botUserId] : []);
  return {
    mode: 'token',
    serves: (teamId) => teamId === w.teamId,
    served: () => [w.teamId],
    get: () => w,
    self: () => ({ botId: w.botId, botUserId: w.botUserId }),
    appUserIds: () => ids,
  };
}

const NOBODY: BotSelf = { botId: null, botUserId: null };

/** A workspace the store did not know is asked again after this (its events meanwhile are another team's). */
const MISS_TTL_MS = 30_000;
/** How often each process reads the installations again (installs and uninstalls another process took). */
export const INSTALLATIONS_REFRESH_MS = 60_000;

/**
 * OAuth mode's workspaces and the installation store Bolt's installer writes through: sealed rows,
 * opened at start and kept in memory, read again every minute and for a workspace not seen yet.
 * A row that does not open is logged once (again only when it changes). `onInstalled` runs after a workspace's installation is
 * stored (a reinstall too); `onRemoved` after one is forgotten.
 */
export class InstalledWorkspaces implements Workspaces, InstallationStore {
  readonly mode = 'oauth' as const;
  private readonly byTeam = new Map<string, { workspace: ServedWorkspace; installation: Installation; sealed: Buffer }>();
  private readonly misses = new Map<string, number>();
  /** Rows that did not open, by team: not tried (nor logged) again until their bytes change. */
  private readonly unopened = new Map<string, Buffer>();
  private bots: ReadonlySet<string> = new Set();
  private readonly key: Buffer;

  constructor(
    private readonly deps: {
      records: InstallationRecords;
      tokenEncryptionKey: string;
      logger: Logger;
      onInstalled?: (w: ServedWorkspace) => Promise<void>;
      onRemoved?: (teamId: string) => Promise<void>;
    },
  ) {
    this.key = sealKey(deps.tokenEncryptionKey);
  }

  /** Reads every stored installation; one that does not open is logged and left out (its workspace must install again). */
  async load(): Promise<void> {
    for (const row of await this.deps.records.list()) this.open(row);
  }

  /**
   * Reads the table again, so that this process follows installs and uninstalls another one took
   * (replicas on one database, a rolling deploy): rows new or changed are opened, workspaces whose
   * row is gone are no longer served.
   */
  async refresh(): Promise<void> {
    const rows = await this.deps.records.list();
    for (const row of rows) if (this.byTeam.get(row.teamId)?.sealed.equals(row.sealed) !== true) this.open(row);
    const present = new Set(rows.map((r) => r.teamId));
    for (const teamId of [...this.byTeam.keys()]) if (!present.has(teamId)) this.forget(teamId);
  }

  /** Reads the table again every `ms` until the returned stop() (a failed read is logged, and tried at the next turn). */
  refreshEvery(ms = INSTALLATIONS_REFRESH_MS): () => void {
    const timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.deps.logger.warn({ err }, 'installations not read again; trying at the next turn'));
    }, ms);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Opens a stored row into the served set; false (logged) when it does not open. */
  private open(row: SealedInstallation): boolean {
    if (this.unopened.get(row.teamId)?.equals(row.sealed) === true) return false;
    try {
      this.keep(JSON.parse(unseal(this.key, row.teamId, row.sealed)) as Installation, row.sealed);
      this.unopened.delete(row.teamId);
      return true;
    } catch (err) {
      if (this.unopened.size >= 10_000) this.unopened.clear();
      this.unopened.set(row.teamId, row.sealed);
      this.deps.logger.error({ team_id: row.teamId, err: err instanceof SealError ? err.message : err }, 'installation not opened: that workspace is not served until it installs the app again');
      return false;
    }
  }

  serves(teamId: string): boolean | Promise<boolean> {
    return this.byTeam.has(teamId) || this.admits(teamId);
  }

  /** Whether the workspace is installed, asking the store when this process has not seen it (another process installed it); a miss is remembered for MISS_TTL_MS. */
  async admits(teamId: string): Promise<boolean> {
    if (this.byTeam.has(teamId)) return true;
    const missed = this.misses.get(teamId);
    if (missed !== undefined && Date.now() - missed < MISS_TTL_MS) return false;
    const row = await this.deps.records.load(teamId);
    if (row !== null && this.open(row)) return true;
    if (this.misses.size >= 10_000) this.misses.clear();
    this.misses.set(teamId, Date.now());
    return false;
  }
  served(): string[] {
    return [...this.byTeam.keys()].sort();
  }
  get(teamId: string): ServedWorkspace | null {
    return this.byTeam.get(teamId)?.workspace ?? null;
  }
  self(teamId: string): BotSelf {
    const w = this.get(teamId);
    return w === null ? NOBODY : { botId: w.botId, botUserId: w.botUserId };
  }
  appUserIds(): ReadonlySet<string> {
    return this.bots;
  }

  private keep(installation: Installation, sealed: Buffer): ServedWorkspace {
    const teamId = installation.team?.id;
    const token = installation.bot?.token;
    if (teamId === undefined || token === undefined) throw new Error('an installation without a workspace or a bot token');
    const workspace: ServedWorkspace = { teamId, botUserId: installation.bot?.userId ?? null, botId: installation.bot?.id ?? null, botToken: token, installerId: installation.user?.id ?? null };
    this.byTeam.set(teamId, { workspace, installation, sealed });
    this.misses.delete(teamId);
    this.countBots();
    return workspace;
  }

  /** The app's bot users across the served workspaces, after one was added or removed. */
  private countBots(): void {
    this.bots = new Set([...this.byTeam.values()].flatMap((e) => (e.workspace.botUserId ? [e.workspace.botUserId] : [])));
  }

  private forget(teamId: string): void {
    this.byTeam.delete(teamId);
    this.countBots();
  }

  // InstallationStore (Bolt's installer: /slack/oauth_redirect stores, every request's authorize fetches).

  async storeInstallation(installation: Installation): Promise<void> {
    if (installation.isEnterpriseInstall === true) {
      throw new Error('Async Charter installs in one workspace at a time, not across an Enterprise Grid organisation: install it from each workspace');
    }
    const teamId = installation.team?.id;
    if (teamId === undefined || installation.bot?.token === undefined) throw new Error('Slack returned an installation without a workspace or a bot token');
    // Background work (digests, lookups, nudges) calls Slack with the stored token: one that expires after 12 hours would stop it.
    if (installation.bot.refreshToken !== undefined) throw new Error('token rotation is on for this app: turn it off (manifest: token_rotation_enabled: false) and install again');
    const sealed = seal(this.key, teamId, JSON.stringify(installation));
    await this.deps.records.save({ teamId, enterpriseId: installation.enterprise?.id ?? null, botUserId: installation.bot.userId ?? null, botId: installation.bot.id ?? null, sealed });
    const workspace = this.keep(installation, sealed);
    this.deps.logger.info({ team_id: teamId }, 'workspace installed');
    await this.deps.onInstalled?.(workspace);
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const teamId = query.teamId;
    if (teamId !== undefined) await this.admits(teamId);
    const kept = teamId === undefined ? undefined : this.byTeam.get(teamId);
    if (kept === undefined) throw new Error(`workspace ${teamId ?? '(none)'} has not installed Async Charter`);
    return kept.installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    if (query.teamId !== undefined) await this.remove(query.teamId);
  }

  /** Forgets a workspace's installation (app_uninstalled, tokens_revoked); its recorded activity stays until retention or forget. */
  async remove(teamId: string): Promise<void> {
    const had = await this.deps.records.remove(teamId);
    this.forget(teamId);
    if (had) {
      this.deps.logger.info({ team_id: teamId }, 'workspace uninstalled: its installation is deleted');
      await this.deps.onRemoved?.(teamId);
    }
  }
}
