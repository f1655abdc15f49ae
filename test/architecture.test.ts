import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { checkArchitecture, formatViolations, unusedAllowances, type Allowance } from './helpers/architecture';

/**
 * The boundary of ARCHITECTURE.md, held by a test: domain is pure (zod, luxon and its own files;
 * no clock, no process), src/slack and its listeners never reach the store, only src/store speaks
 * SQL or imports the drivers, only src/slack imports @slack/*, only src/config.ts reads process.env.
 */

const ROOT = resolve(__dirname, '..');

/**
 * Deliberate exceptions, each with its reason. None today: every rule holds on the whole tree,
 * the weekly digest's files included. An entry that stops matching a violation fails the test
 * below, so nothing stays exempt silently.
 */
const ALLOWED: readonly Allowance[] = [];

describe('architecture', () => {
  it('holds on the real tree', () => {
    expect(formatViolations(checkArchitecture(ROOT, ALLOWED))).toBe('');
  });

  it('has no stale exceptions', () => {
    expect(unusedAllowances(ROOT, ALLOWED)).toEqual([]);
  });

  describe('on a bad tree', () => {
    let dir: string;
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'arch-'));
      write(
        'src/domain/bad.ts',
        [
          "import { Pool } from 'pg';",
          "import type { Store } from '../store/connect';",
          "import { readFileSync } from 'node:fs';",
          "import { DateTime } from 'luxon';",
          'export const started = Date.now();',
          'export const today = new Date();',
          'export const level = process.env.LOG_LEVEL;',
          'export const tick = performance.now();',
          'export const here = DateTime.now();',
          "export const local = DateTime.local({ zone: 'Europe/Berlin' });",
          'export type T = [Pool, Store, typeof readFileSync];',
          '',
        ].join('\n'),
      );
      // Pure domain code that only looks like the above: none of it may be reported.
      write(
        'src/domain/fine.ts',
        [
          "import { z } from 'zod';",
          "import { DateTime } from 'luxon';",
          "import { other } from './other';",
          '// Date.now() and new Date() and process.env in a comment are not reads.',
          "export const note = 'process.env.X, Date.now(), performance.now()';",
          'export const at = (t: number) => new Date(t);',
          'export const fixed = DateTime.local(2026, 1, 5);',
          'export const job = { process: 1 };',
          'export const schema = z.string();',
          'export { other };',
          '',
        ].join('\n'),
      );
      write('src/domain/other.ts', 'export const other = 1;\n');
      write('src/slack/app.ts', "import type { Store } from '../store/connect';\nexport type S = Store;\n");
      write(
        'src/slack/listeners/actions/button.ts',
        ["import { recordOutcome } from '../../../store/nudges';", 'export const rows = (db: any) => db.selectFrom(\'users\').selectAll().execute();', 'export { recordOutcome };', ''].join('\n'),
      );
      write(
        'src/services/queries.ts',
        [
          "import { sql } from 'kysely';",
          "import { PGlite } from '@electric-sql/pglite';",
          'export const add = (db: any) => db.insertInto(\'x\').values({}).execute();',
          'export const raw = sql`select 1`;',
          "export const later = () => import('pg');",
          'export { PGlite };',
          '',
        ].join('\n'),
      );
      write('src/services/env.ts', "import type { App } from '@slack/bolt';\nexport const token = process.env.SLACK_BOT_TOKEN;\nexport type A = App;\n");
      // The store may do all of that.
      write('src/store/connect.ts', "import { Kysely, sql } from 'kysely';\nimport { Pool } from 'pg';\nexport const q = (db: Kysely<any>) => db.selectFrom('users').where(sql`true`);\nexport type Store = Pool;\n");
      write('src/config.ts', 'export const env = () => process.env;\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reports every violation, with its file, line and rule, and nothing else', () => {
      const found = checkArchitecture(dir).map((v) => `${v.file}:${v.line} ${v.rule}: ${v.detail}`);
      expect(found.sort()).toEqual(
        [
          "src/domain/bad.ts:1 domain-imports: imports 'pg'",
          "src/domain/bad.ts:1 db-driver-outside-store: imports 'pg'",
          "src/domain/bad.ts:2 domain-imports: imports '../store/connect'",
          "src/domain/bad.ts:3 domain-imports: imports 'node:fs'",
          'src/domain/bad.ts:5 domain-clock: Date.now',
          'src/domain/bad.ts:6 domain-clock: new Date() without arguments',
          'src/domain/bad.ts:7 domain-clock: process.env',
          'src/domain/bad.ts:7 env-outside-config: process.env',
          'src/domain/bad.ts:8 domain-clock: performance.now',
          'src/domain/bad.ts:9 domain-clock: DateTime.now',
          'src/domain/bad.ts:10 domain-clock: DateTime.local() for the current time',
          "src/slack/app.ts:1 slack-no-store: imports '../store/connect'",
          "src/slack/listeners/actions/button.ts:1 listeners-no-store: imports '../../../store/nudges'",
          'src/slack/listeners/actions/button.ts:2 query-outside-store: selectFrom(',
          "src/services/queries.ts:1 db-driver-outside-store: imports 'kysely'",
          "src/services/queries.ts:2 db-driver-outside-store: imports '@electric-sql/pglite'",
          'src/services/queries.ts:3 query-outside-store: insertInto(',
          'src/services/queries.ts:4 query-outside-store: sql`…`',
          "src/services/queries.ts:5 db-driver-outside-store: imports 'pg'",
          "src/services/env.ts:1 slack-sdk-outside-slack: imports '@slack/bolt'",
          'src/services/env.ts:2 env-outside-config: process.env',
        ].sort(),
      );
    });

    it('leaves out only what an allowance names, and reports allowances that match nothing', () => {
      const allow: Allowance[] = [
        { file: 'src/slack/app.ts', rule: 'slack-no-store', reason: 'test' },
        { file: 'src/domain/fine.ts', rule: 'domain-clock', reason: 'stale: fine.ts reads no clock' },
      ];
      const found = checkArchitecture(dir, allow);
      expect(found.some((v) => v.file === 'src/slack/app.ts')).toBe(false);
      expect(found.some((v) => v.file === 'src/slack/listeners/actions/button.ts' && v.rule === 'listeners-no-store')).toBe(true);
      expect(unusedAllowances(dir, allow)).toEqual([allow[1]]);
    });
  });
});
