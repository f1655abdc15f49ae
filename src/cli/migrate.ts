import { loadDotEnv, loadStoreConfig, processEnv } from '../config';
import { connectStore } from '../store/connect';
import { migrateToLatest } from '../store/migrate';
import { onlyHelp, runCli } from './common';

const USAGE = 'usage: npm run migrate (applies pending migrations to DATABASE_URL, or to the embedded store in DATA_DIR; takes no arguments)';

/** npm run migrate: applies pending migrations to DATABASE_URL (or the embedded store in DATA_DIR). */
runCli(async () => {
  if (onlyHelp(USAGE)) return 0;
  loadDotEnv();
  const cfg = loadStoreConfig(processEnv());
  const where = cfg.kind === 'postgres' ? 'Postgres (DATABASE_URL)' : `embedded PGlite in ${cfg.dataDir}`;
  let store;
  try {
    store = await connectStore(cfg);
  } catch (err) {
    process.stderr.write(`migrate: cannot open ${where}: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    const { applied } = await migrateToLatest(store.db);
    process.stdout.write(applied.length === 0 ? `migrate: ${where} is up to date\n` : `migrate: applied ${applied.join(', ')} to ${where}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`migrate: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
});
