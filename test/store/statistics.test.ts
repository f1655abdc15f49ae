import { refreshEmbeddedStatistics } from '../../src/store/statistics';
import { freshStore, testBackend } from '../helpers/store';

/**
 * The app analyses an embedded store itself (PGlite has no autovacuum: see
 * embedded-statistics.test.ts); a Postgres server keeps its own statistics, and nothing is done there.
 */

const EMBEDDED = testBackend() === 'pglite';

describe(`statistics (${testBackend()})`, () => {
  it(EMBEDDED ? 'the test store is embedded: analysed when asked' : 'on a Postgres server: left to its autovacuum', async () => {
    const store = await freshStore();
    try {
      expect(await refreshEmbeddedStatistics(store)).toBe(EMBEDDED);
    } finally {
      await store.close();
    }
  });
});
