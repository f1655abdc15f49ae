import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, writeSync, constants as fsc } from 'node:fs';
import { join } from 'node:path';

/**
 * One owner per embedded data directory: a lock file created with O_EXCL that holds the
 * owner's pid, what it is (the app or a command) and the pid's start time. A lock whose pid
 * is dead (or a zombie, or a different process reusing the pid: Linux compares start times)
 * is stale and taken over; two processes taking over the same stale lock are serialized by a
 * short-lived "breaking" directory, so exactly one wins.
 */

export const LOCK_FILE = 'async-charter.lock';

export type LockRole = 'app' | 'cli';

export type LockHolder = { pid: number; role: LockRole; label: string; token: string; start: string | null; since: string };

/** The directory is owned by another live process: the message is one line naming the directory, the holder and its pid. */
export class StoreInUseError extends Error {
  override name = 'StoreInUseError';
  constructor(
    message: string,
    readonly holder: LockHolder,
  ) {
    super(message);
  }
}

export type DirLock = { readonly path: string; readonly holder: LockHolder; release(): void };

/** Tokens of the locks this process holds: a second open in the same process is refused like any other, and a lock naming this pid with another token is a previous process's (a container's pid 1 after a restart). */
const tokensHere = new Set<string>();

/** The pid's start time (clock ticks since boot; Linux only, else null) and whether it is a zombie. */
function procInfo(pid: number): { start: string | null; zombie: boolean } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ... field 22 is starttime; comm may hold spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { start: rest[19] ?? null, zombie: rest[0] === 'Z' || rest[0] === 'X' };
  } catch {
    return { start: null, zombie: false };
  }
}

/** True when pid names a running process that is the one recorded (same start time where the OS says). */
export function holderAlive(h: LockHolder): boolean {
  if (h.pid === process.pid) return tokensHere.has(h.token);
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const info = procInfo(h.pid);
  if (info.zombie) return false;
  if (h.start !== null && info.start !== null && h.start !== info.start) return false;
  return true;
}

/** The holder recorded in the lock file; undefined when there is no lock file, null when it is being written (or was left empty). */
export function readHolder(dir: string): LockHolder | null | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, LOCK_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.pid === 'number' && (h.role === 'app' || h.role === 'cli') ? h : null;
  } catch {
    return null;
  }
}

/** One line for people: who holds the directory. */
export function describeHolder(h: LockHolder): string {
  return h.role === 'app' ? `the Async Charter app (pid ${h.pid})` : `${h.label} (pid ${h.pid})`;
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(holder));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Removes the lock file only if it still holds exactly `stale`, under the breaking directory (stale itself after 10 s). */
function breakStale(dir: string, stale: LockHolder | null): void {
  const breaking = join(dir, `${LOCK_FILE}.breaking`);
  try {
    mkdirSync(breaking, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    try {
      if (Date.now() - statSync(breaking).mtimeMs > 10_000) rmdirSync(breaking);
    } catch {
      // another process removed it first
    }
    return;
  }
  try {
    const now = readHolder(dir);
    const same = stale === null ? now === null : now !== null && now !== undefined && now.token === stale.token;
    if (same) unlinkSync(join(dir, LOCK_FILE));
  } catch {
    // gone already: the next attempt creates it
  } finally {
    rmdirSync(breaking);
  }
}

export type AcquireResult = { lock: DirLock } | { holder: LockHolder };

/**
 * One attempt at the lock of dir (which must exist): the lock, or the live holder. A stale lock
 * is broken and retried at once; a lock file left empty (its writer died between creating and
 * writing it) counts as stale once it is over 2 s old.
 */
export function tryLock(dir: string, role: LockRole, label: string): AcquireResult {
  const path = join(dir, LOCK_FILE);
  const me = procInfo(process.pid);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const holder: LockHolder = { pid: process.pid, role, label, token: randomBytes(8).toString('hex'), start: me.start, since: new Date().toISOString() };
    if (tryCreate(path, holder)) {
      tokensHere.add(holder.token);
      let released = false;
      return {
        lock: {
          path,
          holder,
          release() {
            if (released) return;
            released = true;
            tokensHere.delete(holder.token);
            try {
              if (readHolder(dir)?.token === holder.token) unlinkSync(path);
            } catch {
              // the directory is gone (a test removed it): nothing to release
            }
          },
        },
      };
    }
    const current = readHolder(dir);
    if (current === undefined) continue;
    if (current === null) {
      let age = 0;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue;
      }
      if (age < 2_000) return { holder: { pid: 0, role: 'cli', label: 'a process starting', token: '', start: null, since: '' } };
      breakStale(dir, null);
      continue;
    }
    if (holderAlive(current)) return { holder: current };
    breakStale(dir, current);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}
