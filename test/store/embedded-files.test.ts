import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectStore } from '../../src/store/connect';
import { migrateToLatest } from '../../src/store/migrate';

/** Every path under dir with its permission bits. */
function modes(dir: string): Array<{ path: string; dir: boolean; mode: number }> {
  const out: Array<{ path: string; dir: boolean; mode: number }> = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push({ path, dir: true, mode: statSync(path).mode & 0o777 }, ...modes(path));
    else if (e.isFile()) out.push({ path, dir: false, mode: statSync(path).mode & 0o777 });
  }
  return out;
}

describe('the embedded data directory is private', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ac-perms-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('a new DATA_DIR is 0700 with every folder 0700 and every file 0600, after tables are created too', async () => {
    const dir = join(tmp, 'nested', 'data');
    const store = await connectStore({ kind: 'pglite', dataDir: dir });
    await migrateToLatest(store.db);
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const all = modes(dir);
    expect(all.filter((e) => !e.dir).length).toBeGreaterThan(100);
    expect(all.filter((e) => (e.dir ? e.mode !== 0o700 : e.mode !== 0o600)).map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
  }, 120_000);

  it('an existing DATA_DIR open to others is made 0700, and files made 0666 are made 0600 at the next open', async () => {
    const dir = join(tmp, 'existing');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o777);
    const first = await connectStore({ kind: 'pglite', dataDir: dir });
    await first.close();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'PG_VERSION'), 0o666);
    const again = await connectStore({ kind: 'pglite', dataDir: dir });
    await again.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'PG_VERSION')).mode & 0o777).toBe(0o600);
  }, 120_000);
});
