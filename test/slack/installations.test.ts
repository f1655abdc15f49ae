import type { Installation } from '@slack/bolt';
import { createLogger } from '../../src/logger';
import { InstalledWorkspaces, SealError, seal, sealKey, unseal, type InstallationRecords, type SealedInstallation } from '../../src/slack/installations';

const KEY = sealKey('a-token-encryption-key-of-32-chars-or-more');
const TEXT = JSON.stringify({ bot: { token: 'xoxb-1-2-secret' } });

describe('sealed installations (AES-256-GCM under TOKEN_ENCRYPTION_KEY, bound to the team)', () => {
  it('opens what it sealed, and the sealed bytes hold no token in clear', () => {
    const sealed = seal(KEY, 'T01', TEXT);
    expect(unseal(KEY, 'T01', sealed)).toBe(TEXT);
    expect(sealed.includes(Buffer.from('xoxb-'))).toBe(false);
    // A fresh IV each time: the same installation never seals to the same bytes.
    expect(seal(KEY, 'T01', TEXT).equals(sealed)).toBe(false);
  });

  it.each([
    ['another key', (s: Buffer) => unseal(sealKey('another-token-encryption-key-32-chars'), 'T01', s)],
    ["another team's row", (s: Buffer) => unseal(KEY, 'T02', s)],
    ['a byte changed in the ciphertext', (s: Buffer) => unseal(KEY, 'T01', Buffer.concat([s.subarray(0, -1), Buffer.of((s.at(-1) ?? 0) ^ 1)]))],
    ['a byte changed in the tag', (s: Buffer) => unseal(KEY, 'T01', Buffer.concat([s.subarray(0, 14), Buffer.of((s[14] ?? 0) ^ 1), s.subarray(15)]))],
    ['an unknown format version', (s: Buffer) => unseal(KEY, 'T01', Buffer.concat([Buffer.of(9), s.subarray(1)]))],
    ['a cut-off row', (s: Buffer) => unseal(KEY, 'T01', s.subarray(0, 20))],
  ])('refuses %s with a SealError', (_what, open) => {
    const sealed = seal(KEY, 'T01', TEXT);
    expect(() => open(sealed)).toThrow(SealError);
  });

  it('derives the same key from the same secret, another from another', () => {
    expect(sealKey('x'.repeat(40)).equals(sealKey('x'.repeat(40)))).toBe(true);
    expect(sealKey('x'.repeat(40)).equals(sealKey('y'.repeat(40)))).toBe(false);
    expect(sealKey('x'.repeat(40))).toHaveLength(32);
  });
});

describe('InstalledWorkspaces (the installation store Bolt writes through)', () => {
  const memory = (): InstallationRecords & { rows: Map<string, SealedInstallation> } => {
    const rows = new Map<string, SealedInstallation>();
    return {
      rows,
      save: async (r) => void rows.set(r.teamId, r),
      load: async (id) => rows.get(id) ?? null,
      list: async () => [...rows.values()],
      remove: async (id) => rows.delete(id),
    };
  };
  const logger = createLogger({ level: 'silent' });
  const installation = (teamId: string, token: string): Installation => ({
    team: { id: teamId, name: teamId },
    enterprise: undefined,
    user: { id: 'U0INSTALL1', token: undefined, scopes: undefined },
    bot: { id: `B${teamId}`, userId: `U${teamId}`, token, scopes: ['chat:write'] },
    isEnterpriseInstall: false,
  });

  it('stores sealed, serves the workspace, and Bolt fetches its installation back', async () => {
    const records = memory();
    const installed: string[] = [];
    const ws = new InstalledWorkspaces({ records, tokenEncryptionKey: 'k'.repeat(40), logger, onInstalled: async (w) => void installed.push(w.teamId) });
    await ws.storeInstallation(installation('T0A', 'xoxb-a'));
    expect(installed).toEqual(['T0A']);
    expect(ws.served()).toEqual(['T0A']);
    expect(ws.self('T0A')).toEqual({ botId: 'BT0A', botUserId: 'UT0A' });
    expect(ws.self('T0B')).toEqual({ botId: null, botUserId: null });
    expect([...ws.appUserIds()]).toEqual(['UT0A']);
    expect((await ws.fetchInstallation({ teamId: 'T0A', isEnterpriseInstall: false, enterpriseId: undefined })).bot?.token).toBe('xoxb-a');
    await expect(ws.fetchInstallation({ teamId: 'T0B', isEnterpriseInstall: false, enterpriseId: undefined })).rejects.toThrow(/has not installed/);
    expect(records.rows.get('T0A')?.sealed.includes(Buffer.from('xoxb-a'))).toBe(false);

    // Another process with the same key reads it back; one with another key serves nothing.
    const again = new InstalledWorkspaces({ records, tokenEncryptionKey: 'k'.repeat(40), logger });
    await again.load();
    expect(again.get('T0A')?.botToken).toBe('xoxb-a');
    const lines: string[] = [];
    const wrong = new InstalledWorkspaces({ records, tokenEncryptionKey: 'w'.repeat(40), logger: createLogger({ level: 'error', stream: { write: (l: string) => void lines.push(l) } as never }) });
    await wrong.load();
    expect(wrong.served()).toEqual([]);
    // Logged once, not at every read of the table.
    await wrong.refresh();
    await wrong.refresh();
    expect(await wrong.admits('T0A')).toBe(false);
    expect(lines.filter((l) => l.includes('installation not opened'))).toHaveLength(1);
  });

  it('a reinstall replaces the token; an uninstall forgets the workspace', async () => {
    const records = memory();
    const removed: string[] = [];
    const ws = new InstalledWorkspaces({ records, tokenEncryptionKey: 'k'.repeat(40), logger, onRemoved: async (id) => void removed.push(id) });
    await ws.storeInstallation(installation('T0A', 'xoxb-old'));
    await ws.storeInstallation(installation('T0A', 'xoxb-new'));
    expect(ws.get('T0A')?.botToken).toBe('xoxb-new');
    expect(records.rows.size).toBe(1);
    await ws.deleteInstallation({ teamId: 'T0A', isEnterpriseInstall: false, enterpriseId: undefined });
    expect(ws.served()).toEqual([]);
    expect(ws.appUserIds().size).toBe(0);
    expect(records.rows.size).toBe(0);
    expect(removed).toEqual(['T0A']);
  });

  it('refuses an organisation-wide (Enterprise Grid) install and one without a bot token, storing nothing', async () => {
    const records = memory();
    const ws = new InstalledWorkspaces({ records, tokenEncryptionKey: 'k'.repeat(40), logger });
    await expect(ws.storeInstallation({ ...installation('T0A', 'xoxb-a'), isEnterpriseInstall: true, enterprise: { id: 'E01', name: 'Org' } })).rejects.toThrow(/each workspace/);
    await expect(ws.storeInstallation({ ...installation('T0A', 'xoxb-a'), bot: undefined })).rejects.toThrow(/without a workspace or a bot token/);
    expect(records.rows.size).toBe(0);
    expect(ws.served()).toEqual([]);
  });

  it('refresh() follows what another process did: a new install is served, a changed token replaces the old, a deleted row ends the workspace', async () => {
    const records = memory();
    const other = new InstalledWorkspaces({ records, tokenEncryptionKey: 'k'.repeat(40), logger });
    const here = new InstalledWorkspaces({ records, tokenEncryptionKey: 'k'.repeat(40), logger });
    await here.load();
    await other.storeInstallation(installation('T0A', 'xoxb-a1'));
    await other.storeInstallation(installation('T0B', 'xoxb-b1'));
    // Asked about one it has not seen, it reads the store at once.
    expect(await here.serves('T0A')).toBe(true);
    expect(await here.admits('T0C')).toBe(false);
    await other.storeInstallation(installation('T0A', 'xoxb-a2'));
    await other.remove('T0B');
    await here.refresh();
    expect(here.served()).toEqual(['T0A']);
    expect(here.get('T0A')?.botToken).toBe('xoxb-a2');
  });

  it('refuses an installation whose bot token expires (token rotation on): the background work would stop after 12 hours', async () => {
    const records = memory();
    const ws = new InstalledWorkspaces({ records, tokenEncryptionKey: 'k'.repeat(40), logger });
    const rotating = installation('T0A', 'xoxe.xoxb-a');
    await expect(ws.storeInstallation({ ...rotating, bot: { ...(rotating.bot as NonNullable<Installation['bot']>), refreshToken: 'xoxe-1-r', expiresAt: 1 } })).rejects.toThrow(/token rotation/);
    expect(records.rows.size).toBe(0);
  });
});
