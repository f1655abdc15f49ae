import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsToDate, type MessageRecord } from '../../src/domain/activity';
import { defaultCharter } from '../../src/domain/charter';
import { generateExport } from '../../src/services/demo-export';
import { importExport, type ImportOptions, type ImportSummary } from '../../src/services/export-import';
import { openExport } from '../../src/services/export-reader';
import { copyField, encodeMessageRows, pgText } from '../../src/store/import-copy';
import { connectStore } from '../../src/store/connect';
import { migrateToLatest } from '../../src/store/migrate';
import { freshStore, testBackend, type TestStore } from '../helpers/store';

/** COPY needs Postgres: these tests use it in both passes (DATABASE_URL, or the local server CI always has). */
const ON_POSTGRES = { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' };

/** Characters COPY's text format and array literals treat specially, and some that merely look odd. */
const ODD = ['tab\there', 'new\nline', 'cr\rhere', 'back\\slash', '\\N', 'NULL', 'quo"te', "apo'strophe", '{br,ace}', ' spaced ', 'emoji 😀🎉', 'ünïcødé ß', 'comma,semi;'];
const TEAM = 'T\tODD\\team"😀';

type Row = Record<string, unknown>;

/** An export whose ids and names carry every odd character: channels, folders, users, threads, edits. */
function oddExport(dir: string): void {
  const users = [
    ...ODD.map((s, i) => ({ id: `U${i}${s}`, team_id: TEAM, name: `person ${s}`, tz: 'Europe/Berlin' })),
    { id: 'UMENTION1', team_id: TEAM, name: 'mentioned' },
  ];
  const channels = ODD.slice(0, 6).map((s, i) => ({ id: `C${i}${s}`, name: `chan-${i}-${s.replace(/[\n\r]/g, '_')}` }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'users.json'), JSON.stringify(users));
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(channels));
  let t = 1767600000;
  channels.forEach((c, ci) => {
    for (const day of ['2026-01-05', '2026-01-06']) {
      const list: Array<Record<string, unknown>> = [];
      ODD.forEach((s, ui) => {
        t += 61;
        const ts = `${t}.${String(ui).padStart(6, '0')}`;
        list.push({ type: 'message', user: `U${ui}${s}`, ts, text: `hi <@UMENTION1> ${s}\tcan we hop on a call?`, ...(ui % 3 === 0 ? { thread_ts: ts } : {}) });
        if (ui % 4 === 1) list.push({ type: 'message', user: `U${ui}${s}`, ts: `${t}.5`, thread_ts: Number(`${t - 61}.000000`), text: 'a number for thread_ts', edited: { ts: 12.5 } });
        if (ui % 5 === 2) list.push({ type: 'message', subtype: 'thread_broadcast', user: `U${ui}${s}`, ts: `${t}.7`, thread_ts: ts, text: 'where is the doc?', edited: { ts: [s, { k: s }] } });
        if (ui % 6 === 3) list.push({ type: 'message', user: `U${ui}${s}`, ts: `${t}.9`, text: 'an object edit', edited: { ts: { odd: s } } });
      });
      // The same message twice (a second copy with another author): the first one read is kept.
      if (day === '2026-01-06') list.push({ type: 'message', user: 'U1new\nline', ts: `${1767600000 + 61}.000000`, text: 'duplicate of the first' });
      list.push({ type: 'message', subtype: 'channel_join', user: 'U0x', ts: `${t}.8`, text: 'joined' }, { type: 'message', bot_id: 'B1', user: 'U0x', ts: `${t}.81`, text: 'bot' });
      mkdirSync(join(dir, `chan-${ci}-${ODD[ci]?.replace(/[\n\r]/g, '_')}`), { recursive: true });
      writeFileSync(join(dir, `chan-${ci}-${ODD[ci]?.replace(/[\n\r]/g, '_')}`, `${day}.json`), JSON.stringify(list));
    }
  });
}

async function messageRows(store: TestStore): Promise<Row[]> {
  const rows = await store.db
    .selectFrom('messages')
    .select(['team_id', 'channel_id', 'ts', 'posted_at', 'thread_ts', 'root_ts', 'is_reply', 'user_id', 'subtype', 'mentions', 'edited_ts', 'source', 'is_meeting_request', 'is_where_is', 'is_question'])
    .execute();
  // Sorted in JS (code points), not by the database's collation.
  return rows.sort((a, b) => (a.channel_id < b.channel_id ? -1 : a.channel_id > b.channel_id ? 1 : a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

async function importInto(store: TestStore, dir: string, opts: Partial<ImportOptions>): Promise<ImportSummary> {
  const archive = await openExport(dir);
  try {
    return await importExport(store, archive, { charter: defaultCharter(), includePrivate: false, ...opts });
  } finally {
    await archive.close();
  }
}

/**
 * Imports dir into a fresh store twice (the second must store nothing new) and returns what was
 * stored. `again` is what the second import counts as new: messages deleted before the import
 * are inserted and taken out again each time (as insertMessages counts them).
 */
async function importTwice(dir: string, opts: Partial<ImportOptions>, before?: (s: TestStore) => Promise<void>, again = 0, where: { url?: string } = {}) {
  const store = await freshStore(where);
  try {
    await before?.(store);
    const first = await importInto(store, dir, opts);
    const rows = await messageRows(store);
    const second = await importInto(store, dir, opts);
    expect(second).toEqual({ ...first, inserted: again });
    expect(await messageRows(store)).toEqual(rows);
    return { first, rows };
  } finally {
    await store.close();
  }
}

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, writes \\N for NULL, and leaves the rest as it is', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField('quo"te {x,y} NULL 😀')).toBe('quo"te {x,y} NULL 😀');
    expect(copyField(12.5)).toBe('12.5');
    expect(copyField(true)).toBe('true');
  });

  it('writes values as node-postgres sends them: arrays with every element quoted, objects as JSON', () => {
    expect(pgText([])).toBe('{}');
    expect(pgText(['U1', 'a"b', 'c\\d', null, ['x']])).toBe('{"U1","a\\"b","c\\\\d",NULL,{"x"}}');
    expect(pgText({ a: 'x"y' })).toBe('{"a":"x\\"y"}');
    expect(pgText(new Date(Date.UTC(2026, 0, 5, 1, 2, 3, 4)))).toBe('2026-01-05T01:02:03.004Z');
    // Inside COPY, the array literal's backslashes are escaped once more.
    expect(copyField(['a\\b'])).toBe('{"a\\\\\\\\b"}');
  });

  it('writes one line of 15 fields per record', () => {
    const r: MessageRecord = {
      channelId: 'C\t1',
      ts: '1.000001',
      postedAt: tsToDate('1.000001') as Date,
      threadTs: null,
      rootTs: '1.000001',
      isReply: false,
      userId: 'U\n1',
      subtype: null,
      mentions: ['UA', 'UB'],
      editedTs: null,
      meetingRequest: true,
      whereIs: false,
      question: true,
    };
    expect(encodeMessageRows('T', [r, r])).toBe(`T\tC\\t1\t1.000001\t1970-01-01T00:00:01.000Z\t\\N\t1.000001\tf\tU\\n1\t\\N\t{"UA","UB"}\t\\N\texport\tt\tf\tt\n`.repeat(2));
  });
});

describe(`export import (${testBackend()})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ac-import-'));
  const odd = join(dir, 'odd');
  const demo = join(dir, 'demo');
  beforeAll(() => {
    oddExport(odd);
    generateExport(demo, 6000, { weeks: 8 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the same rows parsed in worker threads as in this thread, odd ids and names included, and a re-import adds nothing', async () => {
    const here = await importTwice(odd, { method: 'insert', parseWorkers: 0 });
    const workers = await importTwice(odd, { method: 'insert', parseWorkers: 2 });
    expect(workers).toEqual(here);
    expect(here.first).toMatchObject({ teamId: TEAM, storeTeamId: TEAM, channels: 6, files: 12 });
    // Every odd user id and channel id came through as it was written.
    expect(new Set(here.rows.map((r) => r.user_id))).toEqual(new Set(ODD.map((s, i) => `U${i}${s}`)));
    expect(new Set(here.rows.map((r) => r.channel_id))).toEqual(new Set(ODD.slice(0, 6).map((s, i) => `C${i}${s}`)));
    // The duplicate in the second file did not replace the first copy.
    expect(here.rows.find((r) => r.channel_id === 'C0tab\there' && r.ts === `${1767600000 + 61}.000000`)?.user_id).toBe('U0tab\there');
    // A number where Slack writes a string is stored as node-postgres writes it: "1767600061", not "1767600061.000000".
    expect(here.rows.some((r) => r.edited_ts === '12.5' && /^\d+$/.test(String(r.thread_ts)))).toBe(true);
  }, 120_000);

  it("takes the newest message of a channel the charter excludes for as_of, and only a warning when that file is broken", async () => {
    const ex = join(dir, 'excluded');
    generateExport(ex, 600, { weeks: 2, start: new Date('2026-01-05T00:00:00Z') });
    const later = Date.parse('2026-01-25T10:00:00Z');
    writeFileSync(join(ex, 'channel-4', '2026-01-25.json'), JSON.stringify([{ type: 'message', subtype: 'bot_message', bot_id: 'B1', ts: `${later / 1000}.000100` }]));
    const charter = { ...defaultCharter(), excluded_channels: ['C00000004'] };
    const store = await freshStore();
    try {
      const summary = await importInto(store, ex, { charter });
      expect(summary.newestAt).toBe(later);
      expect(summary.warnings).toContain('left out 1 channel(s) the charter excludes (excluded_channels): channel-4');
      writeFileSync(join(ex, 'channel-4', '2026-01-25.json'), '[{"type": "message", "ts": ');
      const broken = await importInto(store, ex, { charter });
      expect(broken.newestAt).toBeLessThan(Date.parse('2026-01-19T00:00:00Z'));
      expect(broken.warnings.some((w) => w.startsWith('channel-4/2026-01-25.json: is not valid JSON'))).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('parses the generated export in workers exactly as in this thread', async () => {
    const here = await importTwice(demo, { method: 'insert', parseWorkers: 0 });
    expect(await importTwice(demo, { method: 'insert', parseWorkers: 3 })).toEqual(here);
    expect(here.first.messages).toBeGreaterThan(5000);
  }, 120_000);

  it('names the first broken day file in order, whichever worker parsed it, and imports nothing (chunks already written are rolled back)', async () => {
    const broken = join(dir, 'broken');
    generateExport(broken, 3000, { weeks: 8 });
    writeFileSync(join(broken, 'channel-3', '2026-01-20.json'), '{"not": "a list"}');
    writeFileSync(join(broken, 'channel-7', '2026-01-06.json'), '[1, 2');
    const store = await freshStore();
    try {
      for (const parseWorkers of [0, 2]) {
        await expect(importInto(store, broken, { parseWorkers, copyChunk: 50 })).rejects.toThrow('channel-3/2026-01-20.json: must be a JSON array of messages');
        writeFileSync(join(broken, 'channel-3', '2026-01-20.json'), '[{"ts": "1.1", "user": "U1"}, 7]');
        await expect(importInto(store, broken, { parseWorkers, copyChunk: 50 })).rejects.toThrow(/^channel-3\/2026-01-20\.json: Invalid input: expected object, received number \(at 1\)$/);
        writeFileSync(join(broken, 'channel-3', '2026-01-20.json'), '[]');
        await expect(importInto(store, broken, { parseWorkers, copyChunk: 50 })).rejects.toThrow(/^channel-7\/2026-01-06\.json: is not valid JSON \(/);
        writeFileSync(join(broken, 'channel-3', '2026-01-20.json'), '{"not": "a list"}');
      }
      expect(await store.db.selectFrom('messages').select('ts').execute()).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('COPY stores exactly the rows batched inserts store, row for row, and keeps deleted messages deleted (Postgres)', async () => {
    const deleted = { channel_id: 'C2cr\rhere', ts: `${1767600000 + 61 * 53}.000000` };
    for (const d of [odd, demo]) {
      const inserted = await importTwice(d, { method: 'insert', parseWorkers: 0 }, undefined, 0, ON_POSTGRES);
      if (d === odd) expect(inserted.rows).toContainEqual(expect.objectContaining(deleted));
      const copied = await importTwice(d, { method: 'copy', parseWorkers: 2 }, undefined, 0, ON_POSTGRES);
      expect(copied).toEqual(inserted);
      expect(await importTwice(d, { method: 'copy', parseWorkers: 0 }, undefined, 0, ON_POSTGRES)).toEqual(inserted);
    }
    // Several chunks: the first ones copied straight in, then one meets rows an earlier import of
    // some of the files stored (rolled back to its savepoint), and it and the rest go through staging.
    const some = join(dir, 'some');
    mkdirSync(join(some, 'channel-1'), { recursive: true });
    for (const f of ['users.json', 'channels.json']) writeFileSync(join(some, f), readFileSync(join(demo, f)));
    for (const f of readdirSync(join(demo, 'channel-1')).slice(5, 25)) writeFileSync(join(some, 'channel-1', f), readFileSync(join(demo, 'channel-1', f)));
    const partThenAll = async (method: 'copy' | 'insert') => {
      const store = await freshStore(ON_POSTGRES);
      try {
        const part = await importInto(store, some, { method, copyChunk: 40 });
        const all = await importInto(store, demo, { method, copyChunk: 40 });
        return { part, all, rows: await messageRows(store) };
      } finally {
        await store.close();
      }
    };
    const byInsert = await partThenAll('insert');
    expect(byInsert.part.inserted).toBeGreaterThan(20);
    expect(byInsert.all.inserted).toBe(byInsert.all.messages - byInsert.part.inserted);
    expect(await partThenAll('copy')).toEqual(byInsert);

    // A message deleted live before the import stays deleted, counted alike by both methods.
    const tombstone = async (s: TestStore) => {
      await s.db.insertInto('deleted_messages').values({ team_id: TEAM, ...deleted, deleted_at: new Date() }).execute();
    };
    const a = await importTwice(odd, { method: 'insert' }, tombstone, 1, ON_POSTGRES);
    const b = await importTwice(odd, { method: 'copy' }, tombstone, 1, ON_POSTGRES);
    expect(b).toEqual(a);
    expect(a.rows).not.toContainEqual(expect.objectContaining(deleted));
  }, 240_000);

  it('refuses a NUL in an id with either method and stores nothing (Postgres)', async () => {
    const nul = join(dir, 'nul');
    generateExport(nul, 500, { weeks: 1 });
    const file = join(nul, 'channel-0', '2026-01-05.json');
    writeFileSync(file, JSON.stringify([{ type: 'message', user: 'U\u0000X', ts: '1767571252.000001', text: 'hi' }]));
    for (const method of ['insert', 'copy'] as const) {
      const store = await freshStore(ON_POSTGRES);
      try {
        await expect(importInto(store, nul, { method })).rejects.toThrow(/0x00/);
        expect(await store.db.selectFrom('messages').select('ts').execute()).toEqual([]);
        expect(await store.db.selectFrom('users').select('user_id').execute()).toEqual([]);
      } finally {
        await store.close();
      }
    }
  }, 120_000);

  it('refuses COPY on the embedded store', async () => {
    const pglite = await connectStore({ kind: 'pglite', dataDir: 'memory://' });
    try {
      await migrateToLatest(pglite.db);
      const store: TestStore = { ...pglite, storeConfig: { kind: 'pglite', dataDir: 'memory://' }, schema: undefined };
      await expect(importInto(store, odd, { method: 'copy' })).rejects.toThrow('a COPY import needs Postgres');
    } finally {
      await pglite.close();
    }
  });
});
