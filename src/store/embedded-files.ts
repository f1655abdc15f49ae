import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded data directory is private to its owner: DATA_DIR 0700 (created so, or made so
 * if it exists with group or other access), and every folder in it 0700 and file 0600. PGlite
 * copies the files initdb made with mode 0666 (world-writable, whatever the umask), and a few
 * it creates later 0644, so the tree is made private after each open.
 */

/** Creates dir 0700 (parents as needed), or takes group and other access away from an existing one. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((lstatSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Folders 0700 and regular files 0600 under dir (sockets and links untouched). */
export function privatizeTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if ((lstatSync(path).mode & 0o077) !== 0) chmodSync(path, 0o700);
      privatizeTree(path);
    } else if (entry.isFile() && (lstatSync(path).mode & 0o177) !== 0) {
      chmodSync(path, 0o600);
    }
  }
}
