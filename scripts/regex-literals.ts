import { RegExpParser, type AST } from '@eslint-community/regexpp';

/**
 * Strings one of which every match of a regular expression must contain, from its syntax tree
 * (@eslint-community/regexpp): for src/domain/literal-gate.ts's table, written by
 * `npm run literals:classify` (scripts/classify-literals.ts) and checked by
 * test/domain/classify-gates.test.ts. Sound by construction: a sequence needs what any one of its
 * parts needs (runs of parts with few possible strings are joined), alternatives need what each of
 * them needs, optional parts and character sets need nothing.
 */

/** Strings a node can match (every one, when few) and strings one of which each of its matches holds. */
type Facts = {
  /** Every string the node can match, when there are at most EXACT_MAX of them; null otherwise. */
  exact: string[] | null;
  /** Strings, one of which is in every match (never the empty string); null when none is known. */
  need: string[] | null;
};

const EXACT_MAX = 256;
const CLASS_MAX = 16;
const UNKNOWN: Facts = { exact: null, need: null };
const EMPTY: Facts = { exact: [''], need: null };

const exactly = (strings: string[]): Facts => {
  const exact = [...new Set(strings)];
  if (exact.length > EXACT_MAX) return UNKNOWN;
  return { exact, need: exact.includes('') ? null : exact };
};

/** a × b: each string of a followed by each of b; null past EXACT_MAX. */
function cross(a: readonly string[], b: readonly string[]): string[] | null {
  if (a.length * b.length > EXACT_MAX) return null;
  const out: string[] = [];
  for (const x of a) for (const y of b) out.push(x + y);
  return [...new Set(out)];
}

/** Of several sets any one of which would do, the most selective: longest shortest string, then fewest strings. */
function best(sets: ReadonlyArray<string[] | null>): string[] | null {
  let pick: string[] | null = null;
  let pickMin = 0;
  for (const s of sets) {
    if (s === null || s.length === 0 || s.includes('')) continue;
    const min = Math.min(...s.map((x) => x.length));
    if (pick === null || min > pickMin || (min === pickMin && s.length < pick.length)) (pick = s), (pickMin = min);
  }
  return pick;
}

function classFacts(node: AST.CharacterClass): Facts {
  if (node.negate || node.unicodeSets) return UNKNOWN;
  const chars: string[] = [];
  for (const el of node.elements) {
    if (el.type === 'Character') chars.push(String.fromCodePoint(el.value));
    else if (el.type === 'CharacterClassRange') {
      if (el.max.value - el.min.value >= CLASS_MAX) return UNKNOWN;
      for (let c = el.min.value; c <= el.max.value; c += 1) chars.push(String.fromCodePoint(c));
    } else return UNKNOWN;
    if (chars.length > CLASS_MAX) return UNKNOWN;
  }
  return chars.length === 0 ? UNKNOWN : exactly(chars);
}

function disjunction(alternatives: readonly AST.Alternative[]): Facts {
  const each = alternatives.map(sequence);
  const exact = each.every((f) => f.exact !== null) ? each.flatMap((f) => f.exact as string[]) : null;
  if (exact !== null && new Set(exact).size <= EXACT_MAX) return exactly(exact);
  // Some alternative matches: its needed strings, for each alternative, all together.
  const need = each.every((f) => f.need !== null) ? [...new Set(each.flatMap((f) => f.need as string[]))] : null;
  return { exact: null, need };
}

function sequence(alt: AST.Alternative): Facts {
  const candidates: Array<string[] | null> = [];
  let run: string[] | null = [''];
  let whole = true;
  for (const el of alt.elements) {
    const f = element(el);
    if (f.exact !== null) {
      const joined: string[] | null = run === null ? f.exact : cross(run, f.exact);
      if (joined === null) {
        // Too many: what is joined so far stands on its own, and a new run starts here.
        candidates.push(run);
        run = f.exact;
        whole = false;
      } else run = joined;
    } else {
      // A contiguous part of a match matches each run and each element.
      if (run !== null) candidates.push(run);
      candidates.push(f.need);
      run = null;
      whole = false;
    }
  }
  if (run !== null) candidates.push(run);
  if (whole && run !== null) return exactly(run);
  return { exact: null, need: best(candidates) };
}

function element(el: AST.Element): Facts {
  switch (el.type) {
    case 'Character':
      return { exact: [String.fromCodePoint(el.value)], need: [String.fromCodePoint(el.value)] };
    case 'CharacterClass':
      return classFacts(el);
    case 'Assertion':
      // Zero-width: \b, ^, $ and lookarounds take no characters.
      return EMPTY;
    case 'Group':
      if (el.modifiers !== null) return UNKNOWN;
      return disjunction(el.alternatives);
    case 'CapturingGroup':
      return disjunction(el.alternatives);
    case 'Quantifier': {
      const inner = element(el.element);
      if (el.max === 0) return EMPTY;
      if (el.min === 0) return el.max === 1 && inner.exact !== null ? exactly(['', ...inner.exact]) : UNKNOWN;
      if (el.min === 1 && el.max === 1) return inner;
      return { exact: null, need: inner.need };
    }
    default:
      // CharacterSet (., \d, \w, \s, \p{…}), backreferences, string classes: nothing known.
      return UNKNOWN;
  }
}

const parser = new RegExpParser({ ecmaVersion: 2025 });

/**
 * Strings one of which every match of `re` contains, or null when none is known (then the
 * expression must always run). Case-insensitive expressions get null.
 */
export function neededLiterals(re: RegExp): string[] | null {
  if (re.flags.includes('i')) return null;
  const pattern = parser.parsePattern(re.source, 0, re.source.length, { unicode: re.flags.includes('u'), unicodeSets: re.flags.includes('v') });
  return disjunction(pattern.alternatives).need;
}
