/**
 * A literal prefilter for regular expressions (the technique of RE2's and Hyperscan's
 * prefilters): for each expression, a set of strings one of which every match must contain
 * (found from its syntax tree by scripts/regex-literals.ts and committed as a table, keyed by the
 * expression); then one pass over a text finds which of those strings it holds, and an expression
 * whose strings are all absent cannot match, so its test is skipped with the same result. An
 * expression the table does not know, or has no such set for (a bare `.`, `\w+`, the `i` flag),
 * always runs: a stale table costs time, never a wrong answer. Pure; the text is scanned, never kept.
 */

/** Needed strings per expression (literalKey), null where none is known. */
export type LiteralTable = Readonly<Record<string, readonly string[] | null>>;

/** An expression's key in a LiteralTable: its source and flags, as written. */
export const literalKey = (re: RegExp): string => `/${re.source}/${re.flags}`;

/**
 * A set of expressions and one pass over a text telling which of them can match it: an
 * Aho-Corasick automaton over UTF-16 code units (as RegExp reads text) of every needed string.
 */
export class LiteralGate {
  constructor(private readonly table: LiteralTable) {}

  private readonly ids = new Map<RegExp, number>();
  private readonly needs: Array<readonly string[] | null> = [];
  private everything = false;
  private built: { alphabet: Uint16Array; width: number; next: Uint16Array | Int32Array; out: Array<number[] | undefined>; always: number[] } | null = null;

  /** Registers expressions (the automaton is built again at the next scan); returns them. */
  add<T extends readonly RegExp[]>(res: T): T {
    this.built = null;
    for (const re of res) {
      if (this.ids.has(re)) continue;
      this.ids.set(re, this.needs.length);
      this.needs.push(this.table[literalKey(re)] ?? null);
    }
    return res;
  }

  /** With `true`, every scan answers that every expression may match: the classifier as without the gate (for tests). */
  runEverything(on: boolean): void {
    this.everything = on;
  }

  /** The registered expressions, in order. */
  patterns(): RegExp[] {
    return [...this.ids.keys()];
  }

  private build() {
    // The strings' code units, numbered from 1; 0 stands for any other unit.
    const alphabet = new Uint16Array(65536);
    let width = 1;
    for (const need of this.needs) for (const s of need ?? []) for (let i = 0; i < s.length; i += 1) if (alphabet[s.charCodeAt(i)] === 0) alphabet[s.charCodeAt(i)] = width++;
    // The trie, then failure links breadth-first, folded into a full transition table.
    const children: Array<Map<number, number>> = [new Map()];
    const out: Array<Set<number> | undefined> = [undefined];
    this.needs.forEach((need, id) => {
      for (const s of need ?? []) {
        let node = 0;
        for (let i = 0; i < s.length; i += 1) {
          const c = alphabet[s.charCodeAt(i)] as number;
          let child = (children[node] as Map<number, number>).get(c);
          if (child === undefined) {
            child = children.length;
            children.push(new Map());
            out.push(undefined);
            (children[node] as Map<number, number>).set(c, child);
          }
          node = child;
        }
        (out[node] ??= new Set()).add(id);
      }
    });
    const next = new Int32Array(children.length * width);
    const fail = new Int32Array(children.length);
    const queue: number[] = [];
    for (const [c, child] of children[0] as Map<number, number>) (next[c] = child), queue.push(child);
    for (let q = 0; q < queue.length; q += 1) {
      const node = queue[q] as number;
      const f = fail[node] as number;
      const inherited = out[f];
      if (inherited) for (const id of inherited) (out[node] ??= new Set()).add(id);
      for (let c = 0; c < width; c += 1) {
        const child = (children[node] as Map<number, number>).get(c);
        if (child === undefined) next[node * width + c] = next[f * width + c] as number;
        else {
          next[node * width + c] = child;
          fail[child] = node === 0 ? 0 : (next[f * width + c] as number);
          queue.push(child);
        }
      }
    }
    // Numbered again breadth-first, in 16 bits when they fit: the states a text visits most (the
    // shallow ones) then share a few cache lines, which a table of megabytes otherwise misses.
    const order = [0, ...queue];
    const rank = new Int32Array(order.length);
    order.forEach((state, i) => (rank[state] = i));
    const table = order.length <= 0x10000 ? new Uint16Array(order.length * width) : new Int32Array(order.length * width);
    order.forEach((state, i) => {
      for (let c = 0; c < width; c += 1) table[i * width + c] = rank[next[state * width + c] as number] as number;
    });
    const always = this.needs.flatMap((need, id) => (need === null ? [id] : []));
    this.built = { alphabet, width, next: table, out: order.map((state) => (out[state] ? [...(out[state] as Set<number>)] : undefined)), always };
  }

  /** States of the automaton and its alphabet (its table takes 2 or 4 bytes × states × alphabet). */
  size(): { states: number; alphabet: number } {
    if (this.built === null) this.build();
    const b = this.built as NonNullable<LiteralGate['built']>;
    return { states: b.next.length / b.width, alphabet: b.width };
  }

  /**
   * Which registered expressions can match `text` (with `padded`, the text with a space either
   * side, without building that string): test with `candidates.may(re)` before running one.
   */
  scan(text: string, padded = false): Candidates {
    if (this.built === null) this.build();
    const { alphabet, width, next, out, always } = this.built as NonNullable<LiteralGate['built']>;
    // A bit per expression, in plain numbers: a typed array costs more to allocate than the scan.
    const bits: number[] = new Array<number>((this.needs.length + 31) >> 5).fill(this.everything ? -1 : 0);
    for (const id of always) bits[id >> 5] = (bits[id >> 5] as number) | (1 << (id & 31));
    const end = padded ? text.length + 1 : text.length;
    let node = 0;
    for (let i = padded ? -1 : 0; i < end; i += 1) {
      const code = i < 0 || i === text.length ? 32 : text.charCodeAt(i);
      node = next[node * width + (alphabet[code] as number)] as number;
      const ids = out[node];
      if (ids !== undefined) for (let k = 0; k < ids.length; k += 1) bits[(ids[k] as number) >> 5] = (bits[(ids[k] as number) >> 5] as number) | (1 << ((ids[k] as number) & 31));
    }
    return new Candidates(this.ids, bits);
  }
}

/** What one scan found: which registered expressions can match the text. */
export class Candidates {
  constructor(
    private readonly ids: ReadonlyMap<RegExp, number>,
    private readonly bits: readonly number[],
  ) {}

  /** False when `re` cannot match the scanned text (nor any part of it), so its test can be skipped. */
  may(re: RegExp): boolean {
    const id = this.ids.get(re);
    if (id === undefined) throw new Error(`LiteralGate: /${re.source}/ was not added`);
    return (((this.bits[id >> 5] as number) >>> (id & 31)) & 1) === 1;
  }
}
