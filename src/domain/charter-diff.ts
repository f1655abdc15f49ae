import { DateTime } from 'luxon';
import { defaultCharter, type Charter } from './charter';

/**
 * What changed between two charters, and the charter history in words ("Ana changed
 * response_windows.normal from 480 to 240 working minutes, 3 Dec 10:04"). Pure: the time and
 * the zone to show it in are arguments.
 */

/** One change at a dotted path; `undefined` on a side means the key is absent there (only inside channel_overrides). */
export type CharterChange = { path: string; from: unknown; to: unknown };

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A time span such as working_hours or focus.daily: compared and shown as one value ("09:00–17:00"). */
const isSpan = (v: unknown): v is { start: string; end: string } => isObject(v) && Object.keys(v).length === 2 && typeof v.start === 'string' && typeof v.end === 'string';
/** Structural JSON of a value with keys sorted (key order is not a change); absent and undefined keys are the same. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    isObject(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x,
  ) ?? 'undefined';
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

function walk(path: string, from: unknown, to: unknown, out: CharterChange[]): void {
  if (same(from, to)) return;
  const nested = (isObject(from) || from === undefined) && (isObject(to) || to === undefined) && !isSpan(from) && !isSpan(to);
  // A channel's override that appears or goes is one change, not one per switch inside it.
  const overrideEntry = /^channel_overrides\.[^.]+$/.test(path) && (from === undefined || to === undefined);
  if (nested && !overrideEntry) {
    const a = (from ?? {}) as Obj;
    const b = (to ?? {}) as Obj;
    const before = out.length;
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(keyOrder(a, b))) walk(path === '' ? k : `${path}.${k}`, a[k], b[k], out);
    // `{}` against an absent key: nothing inside differs, the key itself does.
    if (out.length === before) out.push({ path, from, to });
    return;
  }
  out.push({ path, from, to });
}

/** Keys in the order the charter writes them: the "after" side's order, then keys only "before" has. */
const keyOrder = (a: Obj, b: Obj) => {
  const order = [...Object.keys(b), ...Object.keys(a)];
  return (x: string, y: string) => order.indexOf(x) - order.indexOf(y);
};

/**
 * Leaf changes from `before` to `after`, in charter order, as dotted paths
 * (`response_windows.normal.working_minutes`, `channel_overrides.C0SUPPORT.nudges.meeting_requests`).
 * Lists and time spans are compared as whole values; a channel override added or removed is one
 * change at `channel_overrides.<id>`. `before` null means nothing was stored: the defaults were in
 * force, so the changes are those from the defaults. Same charter → [].
 */
export function diffCharters(before: Charter | null, after: Charter): CharterChange[] {
  const out: CharterChange[] = [];
  walk('', before ?? defaultCharter(), after, out);
  return out;
}

const CHANNEL_KEYS = new Set(['channel', 'channels', 'urgent_channels', 'excluded_channels']);
const USER_KEYS = new Set(['editors']);
const UNITS: Record<string, string> = { working_minutes: 'working minutes', minutes: 'minutes', retention_days: 'days', weeks: 'weeks', min_group_size: 'people' };
const LIST_ITEMS_SHOWN = 5;

const lastKey = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

/** One item of a list or one scalar, as written in words: channels <#C…>, users <@U…>, on/off, none, unset. */
function item(key: string, v: unknown): string {
  if (v === undefined) return 'unset';
  if (v === null) return 'none';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (isSpan(v)) return `${v.start}–${v.end}`;
  if (typeof v === 'string') return CHANNEL_KEYS.has(key) ? `<#${v}>` : USER_KEYS.has(key) ? `<@${v}>` : v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'none' : listText(key, v);
  if (isObject(v)) return objectText(v) || 'none';
  return String(v);
}

/** A value with its unit: "240 working minutes", "off", "<#C0123>". */
const withUnit = (key: string, v: unknown): string => (typeof v === 'number' && UNITS[key] !== undefined ? `${v} ${UNITS[key]}` : item(key, v));

/** "a, b, c, d, e and 3 more". */
function listText(key: string, items: readonly unknown[]): string {
  const shown = items.slice(0, LIST_ITEMS_SHOWN).map((x) => item(key, x));
  return items.length > LIST_ITEMS_SHOWN ? `${shown.join(', ')} and ${items.length - LIST_ITEMS_SHOWN} more` : shown.join(', ');
}

/** An object's leaves in words: "response_windows.normal 120 working minutes, nudges.meeting_requests off". */
function objectText(v: Obj): string {
  const leaves: CharterChange[] = [];
  walk('', {}, v, leaves);
  return leaves
    .filter((l) => !(isObject(l.to) && Object.keys(l.to).length === 0))
    .map((l) => `${label(l.path)} ${withUnit(lastKey(l.path), l.to)}`)
    .join(', ');
}

/** The path as shown: response windows lose their unit key ("response_windows.normal"); overrides name their channel. */
function label(path: string): string {
  const short = path.replace(/^(.*response_windows\.(?:normal|urgent))\.(?:working_minutes|minutes)$/, '$1');
  const m = /^channel_overrides\.([^.]+)\.(.+)$/.exec(short);
  return m ? `${m[2]} for <#${m[1]}>` : short;
}

/** Items of `a` not in `b`, counting repeats (a multiset difference). */
function minus(a: readonly unknown[], b: readonly unknown[]): unknown[] {
  const left = b.map(canonical);
  return a.filter((x) => {
    const i = left.indexOf(canonical(x));
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/**
 * One change in words, without who or when: "response_windows.normal from 480 to 240 working
 * minutes", "workdays: added sat, removed fri", "nudges.meeting_requests from on to off",
 * "digest.channel from none to <#C0DIGEST>", "channel_overrides: added <#C0SUPPORT> (urgent on)".
 */
export function describeChange(c: CharterChange): string {
  const key = lastKey(c.path);
  const entry = /^channel_overrides\.([^.]+)$/.exec(c.path);
  if (entry && (c.from === undefined || c.to === undefined)) {
    if (c.to === undefined) return `channel_overrides: removed <#${entry[1]}>`;
    const what = isObject(c.to) ? objectText(c.to) : '';
    return `channel_overrides: added <#${entry[1]}>${what === '' ? '' : ` (${what})`}`;
  }
  if (Array.isArray(c.from) || Array.isArray(c.to)) {
    const from = Array.isArray(c.from) ? c.from : [];
    const to = Array.isArray(c.to) ? c.to : [];
    const added = minus(to, from);
    const removed = minus(from, to);
    const parts = [...(added.length > 0 ? [`added ${listText(key, added)}`] : []), ...(removed.length > 0 ? [`removed ${listText(key, removed)}`] : [])];
    return `${label(c.path)}: ${parts.length > 0 ? parts.join(', ') : `reordered to ${listText(key, to)}`}`;
  }
  const unit = UNITS[key];
  const bothNumbers = typeof c.from === 'number' && typeof c.to === 'number';
  if (bothNumbers && unit !== undefined) return `${label(c.path)} from ${c.from} to ${c.to} ${unit}`;
  return `${label(c.path)} from ${withUnit(key, c.from)} to ${withUnit(key, c.to)}`;
}

/** How many changes one history line spells out before "and N more". */
export const CHANGES_SHOWN = 5;

export type HistoryEntry = {
  /** Display name, 'the CLI' or 'someone'. */
  who: string;
  /** When it was saved (ms). */
  at: number;
  /** The zone the time is shown in. */
  tz: string;
  /** From the version before; ignored when `first` or when a side is unreadable. */
  changes: CharterChange[];
  /** No version before this one. */
  first: boolean;
  /** 'entry': this version no longer validates; 'previous': the one before it does not, so what changed is unknown. */
  unreadable?: 'entry' | 'previous';
  /** When given, a time in another year than now's (in tz) shows its year. */
  now?: number;
};

/**
 * One history entry in words: "Ana changed response_windows.normal from 480 to 240 working
 * minutes, 3 Dec 10:04"; several changes joined with "; " (at most CHANGES_SHOWN, then
 * "and N more"); "Ana saved the charter unchanged, …"; the first entry "Ana set the charter, …";
 * a version that no longer validates "… (unreadable), …".
 */
export function describeHistoryEntry(e: HistoryEntry): string {
  const t = DateTime.fromMillis(e.at, { zone: e.tz });
  const otherYear = e.now !== undefined && DateTime.fromMillis(e.now, { zone: e.tz }).year !== t.year;
  const when = t.toFormat(otherYear ? 'd LLL yyyy HH:mm' : 'd LLL HH:mm');
  if (e.unreadable === 'entry') return `${e.who} ${e.first ? 'set' : 'saved'} a charter that no longer validates (unreadable), ${when}`;
  if (e.first) return `${e.who} set the charter, ${when}`;
  if (e.unreadable === 'previous') return `${e.who} saved the charter (the version before it is unreadable), ${when}`;
  if (e.changes.length === 0) return `${e.who} saved the charter unchanged, ${when}`;
  const shown = e.changes.slice(0, CHANGES_SHOWN).map(describeChange).join('; ');
  const more = e.changes.length > CHANGES_SHOWN ? `; and ${e.changes.length - CHANGES_SHOWN} more` : '';
  return `${e.who} changed ${shown}${more}, ${when}`;
}
