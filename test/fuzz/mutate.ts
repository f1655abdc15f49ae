import fc from 'fast-check';
import { SHAPES, type Ctx, type Kind, type Shape } from './shapes';

/**
 * A fuzzed request is a plan (which shape, which mutations, how it is encoded), drawn by fast-check
 * from a fixed seed, and materialized only when its round is sent. Huge strings stay a descriptor in the plan
 * ({huge, unit}) so a plan prints small.
 */

/** A value put somewhere it does not belong. */
export type Odd = { json: unknown } | { huge: number; unit: string } | { glue: string; odd: string };

export type Mutation =
  /** Replace the value at the n-th path (every key and index, depth first). */
  | { op: 'set'; at: number; value: Odd }
  /** Replace the value of every key with this name (or add it at the top when there is none). */
  | { op: 'setKey'; key: string; value: Odd }
  | { op: 'drop'; at: number }
  | { op: 'dropKey'; key: string }
  /** An extra own key (prototype names included) on the n-th object. */
  | { op: 'addKey'; at: number; key: string; value: Odd };

/** How the (mutated) value becomes a body. */
export type Encoding =
  | 'plain'
  /** The whole body replaced by a non-object JSON value. */
  | { root: unknown }
  | { truncate: number }
  | 'bom'
  | { contentType: string }
  /** Forms: a field sent twice (it then parses as a list), a malformed escape, the payload field missing or not JSON. */
  | { duplicate: string }
  | { rawTail: string }
  | 'noPayload'
  | 'payloadNotJson';

export type Plan = { shape: number; mutations: Mutation[]; encoding: Encoding };

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'C0GEN\u0000ERAL',
  '\ud800',
  '\udfff',
  'a\ud83dz',
  '\u202eRTL\u202c',
  '\u200f\u200e\u061c',
  '\u200b\u200d\ufeff',
  'e\u0301\u0301\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\u{10ffff}\u{e0001}',
  '\r\n\t\v\f',
  '%00%ff%',
  '<!channel> <!everyone> <!here>',
  "'; drop table messages; --",
  '${process.exit()}',
  '../../../etc/passwd',
  '\\u0000',
  '__proto__',
  'constructor',
  'prototype',
  '[object Object]',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '9999999999999999999999.999999999999',
  '1700000000.000001',
  '0.0',
  'T0TEAM0001',
  'U0ANA00001',
  'Ev',
  'x'.repeat(65),
  'x'.repeat(256),
];

const UNKNOWN_TYPES = ['emoji_changed', 'team_join', 'tokens_revoked', 'app_uninstalled', 'block_suggestion', 'view_closed', 'shortcut', 'message_action', 'interactive_message', 'dialog_submission', 'Message', 'message ', 'mess\u0000age', 'x'.repeat(65), 'event_callback', 'url_verification', ''];

const HOT_KEYS = [
  'type',
  'event',
  'team_id',
  'event_id',
  'channel',
  'user',
  'text',
  'ts',
  'event_ts',
  'thread_ts',
  'subtype',
  'item',
  'item_user',
  'inviter',
  'message',
  'previous_message',
  'deleted_ts',
  'reaction',
  'tab',
  'authorizations',
  'team',
  'id',
  'actions',
  'action_id',
  'block_id',
  'value',
  'action_ts',
  'container',
  'view',
  'state',
  'values',
  'callback_id',
  'private_metadata',
  'hash',
  'selected_date',
  'selected_date_time',
  'selected_options',
  'command',
  'user_id',
  'channel_id',
  'trigger_id',
  'response_url',
  'challenge',
  'ssl_check',
  'name',
  'real_name',
  'tz',
  'edited',
  'subteam',
  'enterprise',
  'selected_option',
  'channel_type',
];

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then'];

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, 0, -1, 1.5, 1e308, -0, true, false, [], {}, [null], [[]], { id: null }, { id: {} }, ['C0GENERAL1'], { __proto__: null }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 2 }),
);

const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_TYPES) },
);

const HUGE_UNITS = ['x', 'C', '9', 'é', '😀', '\u0000', '\ud800', '\u202e', 'a\u0301'];

export const odd: fc.Arbitrary<Odd> = fc.oneof(
  { weight: 20, arbitrary: wrongType.map((json) => ({ json })) },
  { weight: 24, arbitrary: oddString.map((s) => ({ json: s })) },
  // An id with something odd glued on (a NUL, a surrogate…), or a real value with a suffix.
  { weight: 12, arbitrary: fc.record({ glue: fc.constantFrom('C0GENERAL1', 'U0ANA00001', 'T0TEAM0001', '1700000000.000100', 'message', 'nudge_dismiss'), odd: oddString }) },
  // Long strings now and then (past every bound of the edge), huge ones rarely: up to 300k
  // characters (shrunk when the body would pass 1 MB, see build), so most bodies stay small.
  { weight: 2, arbitrary: fc.record({ huge: fc.integer({ min: 256, max: 5_000 }), unit: fc.constantFrom(...HUGE_UNITS) }) },
  { weight: 1, arbitrary: fc.record({ huge: fc.integer({ min: 5_000, max: 300_000 }), unit: fc.constantFrom(...HUGE_UNITS) }) },
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: odd }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('setKey' as const), key: fc.constantFrom(...HOT_KEYS), value: odd }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('dropKey' as const), key: fc.constantFrom(...HOT_KEYS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('addKey' as const), at: fc.nat(), key: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PROTO_KEYS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) }), value: odd }) },
);

const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 40, arbitrary: fc.constant('plain' as const) },
  { weight: 1, arbitrary: fc.record({ root: fc.constantFrom<unknown>(null, 0, true, 'event_callback', [], [{ type: 'event_callback' }], {}) }) },
  { weight: 1, arbitrary: fc.record({ truncate: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant('bom' as const) },
  { weight: 1, arbitrary: fc.record({ contentType: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json', 'multipart/form-data', '') }) },
  { weight: 1, arbitrary: fc.record({ duplicate: fc.constantFrom('payload', 'command', 'text', 'team_id', 'user_id', 'channel_id', 'type') }) },
  { weight: 1, arbitrary: fc.record({ rawTail: fc.constantFrom('&%', '&text=%E0%A4%A', '&=&&=', '&__proto__=x', '&constructor[prototype][x]=1', '&payload=%ED%A0%80', '&user_id=%00', '&%ff%fe=%c0%80') }) },
  { weight: 1, arbitrary: fc.constant('noPayload' as const) },
  { weight: 1, arbitrary: fc.constant('payloadNotJson' as const) },
);

/** How often each kind of payload comes: JSON events half the time, the forms (commands, interactivity) most of the rest. */
const KIND_WEIGHTS: ReadonlyArray<[Kind, number]> = [
  ['event', 10],
  ['command', 3],
  ['action', 3],
  ['view', 3],
  ['other', 1],
];

/** One plan: a fifth of them unmutated (the valid ones), the rest with one to four mutations. */
export const plan: fc.Arbitrary<Plan> = fc.record({
  shape: fc.oneof(...KIND_WEIGHTS.map(([kind, weight]) => ({ weight, arbitrary: fc.constantFrom(...SHAPES.flatMap((s, i) => (s.kind === kind ? [i] : []))) }))),
  mutations: fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }) }),
  encoding,
});

/** `scale` shrinks huge strings (see build). */
function materialize(v: Odd, scale: number): unknown {
  if ('json' in v) return structuredClone(v.json);
  if ('glue' in v) return v.glue + v.odd;
  const n = Math.floor(v.huge * scale);
  return v.unit.repeat(Math.ceil(n / v.unit.length)).slice(0, n);
}

type Slot = { parent: Record<string, unknown> | unknown[]; key: string };

/** Every key and index under root, depth first (a path is replaced through its parent). */
function slots(root: unknown, out: Slot[] = []): Slot[] {
  if (root === null || typeof root !== 'object') return out;
  const parent = root as Record<string, unknown>;
  for (const key of Object.keys(parent)) {
    out.push({ parent, key });
    slots(parent[key], out);
  }
  return out;
}

function objects(root: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (root === null || typeof root !== 'object') return out;
  if (!Array.isArray(root)) out.push(root as Record<string, unknown>);
  for (const v of Object.values(root)) objects(v, out);
  return out;
}

/** An own, enumerable key, even `__proto__` (JSON.stringify then writes it like any other). */
function put(target: Record<string, unknown> | unknown[], key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function remove(target: Record<string, unknown> | unknown[], key: string): void {
  if (Array.isArray(target)) target.splice(Number(key), 1);
  else delete target[key];
}

export function applyMutations(root: Record<string, unknown>, mutations: readonly Mutation[], form: boolean, scale = 1): Record<string, unknown> {
  // A form field can only hold a string: what a wrong type becomes on the wire.
  const asField = (v: unknown) => (form && typeof v !== 'string' ? (typeof v === 'object' ? JSON.stringify(v) : String(v)) : v);
  for (const m of mutations) {
    if (m.op === 'set' || m.op === 'drop') {
      const all = slots(root);
      const slot = all[m.at % Math.max(1, all.length)];
      if (slot === undefined) continue;
      if (m.op === 'set') put(slot.parent, slot.key, asField(materialize(m.value, scale)));
      else remove(slot.parent, slot.key);
    } else if (m.op === 'setKey' || m.op === 'dropKey') {
      const hits = slots(root).filter((s) => s.key === m.key && !Array.isArray(s.parent));
      if (m.op === 'dropKey') for (const s of hits) remove(s.parent, s.key);
      else if (hits.length === 0) put(root, m.key, asField(materialize(m.value, scale)));
      else for (const s of hits) put(s.parent, s.key, asField(materialize(m.value, scale)));
    } else {
      const all = objects(root);
      const target = all[m.at % all.length] ?? root;
      put(form ? root : target, m.key, asField(materialize(m.value, scale)));
    }
  }
  return root;
}

export type Request = { body: string; contentType: string };

/** The body Slack would send for this (mutated) shape, encoded as the plan says. */
export function encode(shape: Shape, value: Record<string, unknown>, enc: Encoding): Request {
  const root = typeof enc === 'object' && 'root' in enc;
  const json = JSON.stringify(root ? enc.root : value);
  let body: string;
  let contentType = shape.form ? 'application/x-www-form-urlencoded' : 'application/json';
  if (!shape.form) body = json;
  else if (shape.kind === 'command') body = formOf(value);
  else body = new URLSearchParams([['payload', json]]).toString();

  if (enc === 'plain' || root) return { body, contentType };
  if (enc === 'bom') return { body: `\ufeff${body}`, contentType };
  if (enc === 'noPayload') return { body: shape.form && shape.kind !== 'command' ? 'token=x&team_id=T0TEAM0001' : body, contentType };
  if (enc === 'payloadNotJson') return { body: shape.form && shape.kind !== 'command' ? new URLSearchParams([['payload', json.slice(0, Math.floor(json.length / 2))]]).toString() : body, contentType };
  if ('truncate' in enc) return { body: body.slice(0, enc.truncate % Math.max(1, body.length)), contentType };
  if ('contentType' in enc) {
    contentType = enc.contentType;
    return { body, contentType };
  }
  if ('duplicate' in enc) {
    if (!shape.form) return { body, contentType };
    const fields = new URLSearchParams(body);
    const first = fields.get(enc.duplicate);
    fields.append(enc.duplicate, first ?? 'x');
    return { body: fields.toString(), contentType };
  }
  return { body: shape.form ? body + enc.rawTail : body, contentType };
}

function formOf(fields: Record<string, unknown>): string {
  // URLSearchParams, not encodeURIComponent: a lone surrogate becomes U+FFFD as a browser sends it, not a URIError.
  return new URLSearchParams(Object.keys(fields).map((k): [string, string] => [k, String(fields[k])])).toString();
}

/** A short, printable description of a plan (huge strings as their size). */
export function describePlan(p: Plan): string {
  const shape = SHAPES[p.shape];
  return `${shape?.kind}:${shape?.name} ${JSON.stringify(p.mutations, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length})` : v))} ${JSON.stringify(p.encoding)}`;
}

/** Under this many bytes a body is read whole (the app's limit is 1 MB); huge strings shrink until the body fits. */
export const MAX_BODY_BYTES = 1_000_000;

export function build(p: Plan, ctx: Ctx): Request {
  const shape = SHAPES[p.shape] as Shape;
  let scale = 1;
  for (;;) {
    const req = encode(shape, applyMutations(shape.build(ctx), p.mutations, shape.form, scale), p.encoding);
    const bytes = Buffer.byteLength(req.body);
    if (bytes <= MAX_BODY_BYTES || scale < 1e-3) return req;
    scale *= (0.9 * MAX_BODY_BYTES) / bytes;
  }
}
