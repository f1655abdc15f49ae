import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The boundary rules of ARCHITECTURE.md, checked on a source tree with the TypeScript compiler
 * API: imports are read from the syntax tree (import/export declarations, import x = require,
 * import() and require() calls), not by regexes over whole files, and so are clock reads and
 * query builders (comments and strings never match).
 */

export type Rule =
  /** src/domain imports only zod, luxon and files inside src/domain. */
  | 'domain-imports'
  /** src/domain reads no clock and no process state: Date.now(), new Date(), Date(), performance.now, process, luxon's DateTime.now/local/utc for "now". */
  | 'domain-clock'
  /** src/slack never imports src/store (listeners are checked by their own rule). */
  | 'slack-no-store'
  /** src/slack/listeners never import src/store: listeners get services, never Store or a Kysely handle. */
  | 'listeners-no-store'
  /** Only src/store imports kysely, pg or @electric-sql/pglite*. */
  | 'db-driver-outside-store'
  /** Only src/store builds queries: selectFrom( insertInto( updateTable( deleteFrom( sql`…` sql.x(…). */
  | 'query-outside-store'
  /** Only src/slack imports @slack/* (services speak to Slack through ports). */
  | 'slack-sdk-outside-slack'
  /** Only src/config.ts reads process.env. */
  | 'env-outside-config';

export type Violation = { file: string; line: number; rule: Rule; detail: string };

/** One deliberate exception: a file (relative to the root, with '/'), the rule it breaks, and why. */
export type Allowance = { file: string; rule: Rule; reason: string };

const DOMAIN_PACKAGES = new Set(['zod', 'luxon']);
const QUERY_METHODS = new Set(['selectFrom', 'insertInto', 'updateTable', 'deleteFrom']);

/** Every .ts file under dir, as absolute paths, sorted. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx|mts|cts)$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The package a bare specifier names: "@slack/bolt/x" → "@slack/bolt", "pg/lib" → "pg", "node:fs" → "node:fs". */
export function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

const isDbDriver = (pkg: string) => pkg === 'kysely' || pkg === 'pg' || pkg.startsWith('@electric-sql/pglite');

type Import = { spec: string; line: number };

/** Every module a file names: static imports and re-exports (type-only too), import = require, import() and require() calls. */
function importsOf(sf: ts.SourceFile): Import[] {
  const out: Import[] = [];
  const add = (node: ts.Node, lit: ts.Expression | undefined): void => {
    if (lit !== undefined && ts.isStringLiteralLike(lit)) out.push({ spec: lit.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const isId = (e: ts.Node, name: string): boolean => ts.isIdentifier(e) && e.text === name;
const isMember = (e: ts.Node, obj: string, name: string): boolean => ts.isPropertyAccessExpression(e) && isId(e.expression, obj) && e.name.text === name;

/** True when the identifier is the name of a declaration or property, not a reference. */
function isNameOf(id: ts.Identifier): boolean {
  const p = id.parent;
  return (ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isBindingElement(p)) && p.name === id;
}

/** Clock and process reads in a file: what makes domain code depend on when and where it runs. */
function clockReads(sf: ts.SourceFile): Array<{ line: number; detail: string }> {
  const out: Array<{ line: number; detail: string }> = [];
  const at = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      if (isMember(node, 'Date', 'now')) out.push({ line: at(node), detail: 'Date.now' });
      else if (isMember(node, 'performance', 'now')) out.push({ line: at(node), detail: 'performance.now' });
      else if (isId(node.expression, 'process')) out.push({ line: at(node), detail: `process.${node.name.text}` });
      else if (isMember(node, 'DateTime', 'now')) out.push({ line: at(node), detail: 'DateTime.now' });
    }
    if (ts.isNewExpression(node) && isId(node.expression, 'Date') && (node.arguments === undefined || node.arguments.length === 0)) out.push({ line: at(node), detail: 'new Date() without arguments' });
    if (ts.isCallExpression(node)) {
      if (isId(node.expression, 'Date')) out.push({ line: at(node), detail: 'Date() (the current time as text)' });
      // DateTime.local() / DateTime.utc() with no numeric date parts mean "now".
      if ((isMember(node.expression, 'DateTime', 'local') || isMember(node.expression, 'DateTime', 'utc')) && !node.arguments.some((a) => !ts.isObjectLiteralExpression(a))) {
        out.push({ line: at(node), detail: `${(node.expression as ts.PropertyAccessExpression).name.text === 'local' ? 'DateTime.local' : 'DateTime.utc'}() for the current time` });
      }
    }
    // `process` handed on whole (process.x is reported above); a property or binding named so is not a read.
    if (ts.isIdentifier(node) && node.text === 'process' && !ts.isPropertyAccessExpression(node.parent) && !isNameOf(node)) out.push({ line: at(node), detail: 'process' });
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Lines that read process.env (process.env.X, process.env['X'], const { env } = process). */
function envReads(sf: ts.SourceFile): number[] {
  const out: number[] = [];
  const visit = (node: ts.Node): void => {
    const line = () => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    if (isMember(node, 'process', 'env')) out.push(line());
    else if (ts.isVariableDeclaration(node) && node.initializer !== undefined && isId(node.initializer, 'process') && ts.isObjectBindingPattern(node.name) && node.name.elements.some((e) => (e.propertyName ?? e.name).getText(sf) === 'env')) out.push(line());
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Query building: Kysely's builders (as methods or destructured) and the sql tag. */
function queries(sf: ts.SourceFile): Array<{ line: number; detail: string }> {
  const out: Array<{ line: number; detail: string }> = [];
  const at = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : null;
      if (name !== null && QUERY_METHODS.has(name)) out.push({ line: at(node), detail: `${name}(` });
      if (ts.isPropertyAccessExpression(callee) && isId(callee.expression, 'sql')) out.push({ line: at(node), detail: `sql.${callee.name.text}(` });
    }
    if (ts.isTaggedTemplateExpression(node) && isId(node.tag, 'sql')) out.push({ line: at(node), detail: 'sql`…`' });
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Checks every source file under root/src against the rules; allowed exceptions are left out. */
export function checkArchitecture(root: string, allow: readonly Allowance[] = []): Violation[] {
  const srcDir = resolve(root, 'src');
  const rel = (abs: string) => relative(root, abs).split(sep).join('/');
  const under = (relPath: string, folder: string) => relPath === folder || relPath.startsWith(`${folder}/`);
  const found: Violation[] = [];

  for (const abs of sourceFiles(srcDir)) {
    const file = rel(abs);
    const sf = ts.createSourceFile(abs, readFileSync(abs, 'utf8'), ts.ScriptTarget.Latest, true, abs.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const inDomain = under(file, 'src/domain');
    const inStore = under(file, 'src/store');
    const inListeners = under(file, 'src/slack/listeners');
    const inSlack = under(file, 'src/slack');

    for (const imp of importsOf(sf)) {
      const relative_ = imp.spec.startsWith('.');
      const target = relative_ ? rel(resolve(dirname(abs), imp.spec)) : null;
      const pkg = relative_ ? null : packageOf(imp.spec);
      const v = (rule: Rule, detail: string) => found.push({ file, line: imp.line, rule, detail });
      if (inDomain) {
        if (target !== null ? !under(target, 'src/domain') : !DOMAIN_PACKAGES.has(pkg as string)) v('domain-imports', `imports '${imp.spec}'`);
      }
      if (target !== null && under(target, 'src/store')) {
        if (inListeners) v('listeners-no-store', `imports '${imp.spec}'`);
        else if (inSlack) v('slack-no-store', `imports '${imp.spec}'`);
      }
      if (pkg !== null && !inStore && isDbDriver(pkg)) v('db-driver-outside-store', `imports '${imp.spec}'`);
      if (pkg !== null && !inSlack && pkg.startsWith('@slack/')) v('slack-sdk-outside-slack', `imports '${imp.spec}'`);
    }
    if (inDomain) for (const c of clockReads(sf)) found.push({ file, line: c.line, rule: 'domain-clock', detail: c.detail });
    if (!inStore) for (const q of queries(sf)) found.push({ file, line: q.line, rule: 'query-outside-store', detail: q.detail });
    if (file !== 'src/config.ts') for (const e of envReads(sf)) found.push({ file, line: e, rule: 'env-outside-config', detail: 'process.env' });
  }
  return found.filter((f) => !allow.some((a) => a.file === f.file && a.rule === f.rule));
}

/** Allowances that no longer match any violation (stale exemptions hide nothing and should go). */
export function unusedAllowances(root: string, allow: readonly Allowance[]): Allowance[] {
  const all = checkArchitecture(root);
  return allow.filter((a) => !all.some((f) => f.file === a.file && f.rule === a.rule));
}

/** One line per violation: "src/x.ts:12 rule: detail". */
export function formatViolations(vs: readonly Violation[]): string {
  return vs.map((v) => `${v.file}:${v.line} ${v.rule}: ${v.detail}`).join('\n');
}
