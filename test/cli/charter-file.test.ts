import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHARTER_FILE_MAX_BYTES, readCharterFile } from '../../src/cli/common';
import { cliStore, runScript } from '../helpers/cli';
import { FIXTURES } from '../helpers/fixtures';

const TEAM = 'T0FILES001';

describe('npm run charter --set: which files are refused, and --history', () => {
  let store: Awaited<ReturnType<typeof cliStore>>;
  const dir = mkdtempSync(join(tmpdir(), 'ac-charter-file-'));
  const file = (name: string, content: string | Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  beforeAll(async () => {
    store = await cliStore();
  });
  afterAll(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const refused: Array<[string, string | Buffer, string]> = [
    ['empty.yml', '', 'empty file'],
    ['blank.yml', '  \n\n\t\n', 'empty file'],
    ['comments.yml', '# our charter, to be written\n\n   # timezone: Europe/Berlin\n', 'empty file'],
    ['marker.yml', '---\n# nothing yet\n', 'empty file'],
    ['huge.yml', `timezone: UTC\n${'#'.repeat(300 * 1024 - 14)}`, 'over 256 KB (300 KB)'],
    ['image.yml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]), 'not YAML or JSON (binary content, not UTF-8 text)'],
    ['nul.json', '{"timezone": "UTC"}\u0000\n', 'not YAML or JSON (binary content, not UTF-8 text)'],
    ['latin1.yml', Buffer.from('timezone: Europe/Z\xfcrich\n', 'latin1'), 'not YAML or JSON (binary content, not UTF-8 text)'],
    ['list.json', '[{"timezone": "UTC"}]', 'not a YAML or JSON mapping (it is a list)'],
    ['list.yml', '- timezone: UTC\n', 'not a YAML or JSON mapping (it is a list)'],
    ['words.yml', 'our charter\n', 'not a YAML or JSON mapping (it is a string)'],
    ['null.yml', 'null\n', 'not a YAML or JSON mapping (it is null)'],
  ];

  it.each(refused)('refuses %s with the reason, exit 2, nothing stored', async (name, content, reason) => {
    const path = file(name, content);
    const r = await runScript('charter', ['--team', TEAM, '--set', path], store.env);
    expect(r.stderr).toBe(`charter file ${path}: ${reason}: nothing saved\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  }, 60_000);

  it('refuses a file that is not YAML or JSON, naming the parser complaint', async () => {
    const path = file('broken.yml', 'timezone: [UTC\nworkdays: mon\n');
    const r = await runScript('charter', ['--team', TEAM, '--set', path], store.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^charter file ${path}: not YAML or JSON \\(.+\\): nothing saved\\n$`));
  }, 60_000);

  it('reads up to 256 KB exactly, `{}` as the defaults, and JSON with a byte-order mark (in process)', async () => {
    const padded = (bytes: number) => `timezone: Europe/Berlin\n${'#'.repeat(bytes - 25)}\n`;
    expect(Buffer.byteLength(padded(CHARTER_FILE_MAX_BYTES))).toBe(256 * 1024);
    await expect(readCharterFile(file('limit.yml', padded(CHARTER_FILE_MAX_BYTES)))).resolves.toMatchObject({ timezone: 'Europe/Berlin' });
    const over = file('limit1.yml', padded(CHARTER_FILE_MAX_BYTES + 1));
    await expect(readCharterFile(over)).rejects.toThrow(`charter file ${over}: over 256 KB (257 KB): nothing saved`);
    await expect(readCharterFile(file('braces.json', '{}'))).resolves.toMatchObject({ timezone: 'UTC', min_group_size: 5 });
    await expect(readCharterFile(file('bom.json', '\ufeff{"timezone": "Asia/Tokyo"}'))).resolves.toMatchObject({ timezone: 'Asia/Tokyo' });
    const missing = join(dir, 'missing.yml');
    await expect(readCharterFile(missing)).rejects.toThrow(`charter file ${missing}: cannot be read`);
  });

  it('stored nothing for any of them', async () => {
    const shown = await runScript('charter', ['--team', TEAM, '--show', '--history'], store.env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^# no charter stored for T0FILES001: these are the defaults\n/);
    expect(shown.stderr).toBe(`no charter saved for ${TEAM} yet\n`);
  }, 60_000);

  it('audit --charter refuses the same files before importing anything', async () => {
    const r = await runScript('audit', [join(FIXTURES, 'slack-export-houstondatavis'), '--charter', join(dir, 'comments.yml')], store.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`charter file ${join(dir, 'comments.yml')}: empty file: nothing saved\n`);
  }, 60_000);

  it('asks for --team by name when it is missing', async () => {
    const r = await runScript('charter', ['--show'], store.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^--team is missing: the Slack team id, such as T0123ABCD \(usage: npm run charter -- /);
  }, 60_000);

  it('says a first file equal to the defaults stores them, rather than "unchanged"', async () => {
    const defaults = file('defaults.yml', 'timezone: UTC\n');
    const r = await runScript('charter', ['--team', 'T0DEFAULTS1', '--set', defaults], store.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`charter for T0DEFAULTS1 saved from ${defaults} (the same values as the defaults in force until now)\n`);
  }, 60_000);

  it('stores a good file (exit 0, the changes in words on stderr) and lists the saves with --history', async () => {
    const first = file('good.yml', 'timezone: Europe/Berlin\nresponse_windows:\n  normal: { working_minutes: 240 }\n');
    const r1 = await runScript('charter', ['--team', TEAM, '--set', first], store.env);
    expect(r1.code).toBe(0);
    expect(r1.stderr).toBe(`charter for ${TEAM} saved from ${first}:\n  timezone from UTC to Europe/Berlin\n  response_windows.normal from 480 to 240 working minutes\n`);
    expect(r1.stdout).toBe('');

    const second = file('good.json', JSON.stringify({ timezone: 'Europe/Berlin', response_windows: { normal: { working_minutes: 240 } }, workdays: ['mon', 'tue', 'wed', 'thu', 'sat'], urgent_channels: ['C0INCIDENT'] }));
    const r2 = await runScript('charter', ['--team', TEAM, '--set', second], store.env);
    expect(r2.code).toBe(0);
    expect(r2.stderr).toBe(`charter for ${TEAM} saved from ${second}:\n  workdays: added sat, removed fri\n  urgent_channels: added <#C0INCIDENT>\n`);

    const r3 = await runScript('charter', ['--team', TEAM, '--set', second], store.env);
    expect(r3.code).toBe(0);
    expect(r3.stderr).toBe(`charter for ${TEAM} saved from ${second} (unchanged)\n`);

    const h = await runScript('charter', ['--team', TEAM, '--history'], store.env);
    expect(h.code).toBe(0);
    const [head, ...lines] = h.stdout.trimEnd().split('\n');
    expect(head).toBe(`# charter history of ${TEAM}, newest first, times in Europe/Berlin`);
    const when = ', \\d{1,2} [A-Z][a-z]{2}( \\d{4})? \\d\\d:\\d\\d';
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^the CLI saved the charter unchanged${when}$`));
    expect(lines[1]).toMatch(new RegExp(`^the CLI changed workdays: added sat, removed fri; urgent_channels: added <#C0INCIDENT>${when}$`));
    expect(lines[2]).toMatch(new RegExp(`^the CLI set the charter${when}$`));

    // --show still prints the charter in force, alone on stdout.
    const shown = await runScript('charter', ['--team', TEAM, '--show'], store.env);
    expect(parse(shown.stdout)).toMatchObject({ timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'sat'], urgent_channels: ['C0INCIDENT'] });
  }, 120_000);
});
