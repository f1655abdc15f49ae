import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** One file of a Slack workspace export, read on demand (the whole export is never in memory). */
export type ExportFile = { path: string; read(): Promise<Buffer> };

export type ExportArchive = {
  /** What the person named: the zip or the folder. */
  label: string;
  /** Every file, with paths relative to the export's root ("users.json", "general/2016-01-05.json"). */
  files: ExportFile[];
  close(): Promise<void>;
};

/** An export that cannot be read as it is: names the file and the problem. */
export class ExportError extends Error {
  override name = 'ExportError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** Opens an export given as a .zip file or as the unpacked folder. */
export async function openExport(path: string): Promise<ExportArchive> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ExportError(path, 'no such file or folder');
  }
  const archive = info.isDirectory() ? await openFolder(path) : await openZip(path);
  return rootAtChannelsJson(archive);
}

async function openFolder(root: string): Promise<ExportArchive> {
  const files: ExportFile[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, d.name);
      if (d.isDirectory() && depth < 3) await walk(full, depth + 1);
      else if (d.isFile() && d.name.endsWith('.json')) files.push({ path: relative(root, full).split(sep).join('/'), read: () => readFile(full) });
    }
  };
  await walk(root, 0);
  return { label: root, files, close: async () => undefined };
}

async function openZip(path: string): Promise<ExportArchive> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, z) => (err || !z ? reject(new ExportError(path, `not a readable zip file (${err?.message ?? 'unknown error'})`)) : resolve(z))),
  );
  const entries: Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: Entry) => {
      if (!e.fileName.endsWith('/') && e.fileName.endsWith('.json')) entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (err: Error) => reject(new ExportError(path, `damaged zip file (${err.message})`)));
    zip.readEntry();
  });
  const read = (e: Entry) =>
    new Promise<Buffer>((resolve, reject) =>
      zip.openReadStream(e, (err, stream) => {
        if (err || !stream) return reject(new ExportError(e.fileName, `cannot be read from the zip (${err?.message ?? 'unknown error'})`));
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (er: Error) => reject(new ExportError(e.fileName, `cannot be read from the zip (${er.message})`)));
        stream.on('end', () => resolve(Buffer.concat(chunks)));
      }),
    );
  return { label: path, files: entries.map((e) => ({ path: e.fileName, read: () => read(e) })), close: async () => zip.close() };
}

/** Some exports are zipped with one enclosing folder: make paths relative to the folder holding channels.json. */
function rootAtChannelsJson(a: ExportArchive): ExportArchive {
  const marker = a.files.find((f) => /(^|\/)channels\.json$/.test(f.path));
  const prefix = marker ? marker.path.slice(0, marker.path.length - 'channels.json'.length) : '';
  if (prefix === '') return a;
  return { ...a, files: a.files.filter((f) => f.path.startsWith(prefix)).map((f) => ({ ...f, path: f.path.slice(prefix.length) })) };
}
