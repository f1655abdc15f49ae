import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Issue 11: tsx and pino-pretty were runtime dependencies. The production install
// (npm ci --omit=dev) runs compiled JavaScript, and the logger works without pino-pretty.

const ROOT = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('production dependencies', () => {
  it('dev tools are devDependencies only', () => {
    const tools = ['tsx', 'pino-pretty', 'typescript', 'jest', 'ts-jest', 'fast-check', 'playwright-core'];
    expect(Object.keys(pkg.dependencies).filter((d) => tools.includes(d) || d.startsWith('@types/'))).toEqual([]);
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['tsx', 'pino-pretty']));
  });

  it('npm start and the image run compiled JavaScript (dist/main.js), the image installed without dev dependencies', () => {
    expect(pkg.scripts.start).toMatch(/^exec node (--[\w-]+ )*dist\/main\.js$/);
    expect(pkg.scripts.prestart).toBe('node scripts/prestart.cjs');
    const docker = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const runStage = docker.slice(docker.lastIndexOf('\nFROM '));
    expect(runStage).toMatch(/^CMD \["node", ("--[\w-]+", )*"dist\/main\.js"\]$/m);
    expect(docker).toMatch(/npm (ci|prune) [^\n]*--omit=dev/);
    expect(runStage).not.toMatch(/tsx|src\//);
  });

  it('the logger asked to pretty-print without pino-pretty installed writes JSON lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-no-pretty-'));
    try {
      // Resolving pino-pretty fails, as it does after npm ci --omit=dev.
      const hide = join(dir, 'hide-pino-pretty.js');
      writeFileSync(
        hide,
        `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'pino-pretty' || request.startsWith('pino-pretty/')) { const e = new Error("Cannot find module 'pino-pretty'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
  return resolve.call(this, request, ...rest);
};`,
      );
      const script = `const { createLogger } = require(${JSON.stringify(join(ROOT, 'src', 'logger.ts'))});
createLogger({ level: 'info', pretty: true }).info({ n: 1 }, 'hello without pino-pretty');`;
      const r = spawnSync(process.execPath, ['--require', hide, '--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const line = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 30, n: 1, msg: 'hello without pino-pretty', service: 'async-charter' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm start\'s prestart (scripts/prestart.cjs)', () => {
  it('without TypeScript (npm ci --omit=dev): runs the shipped dist/, or says how to get one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-prestart-prod-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      copyFileSync(join(ROOT, 'scripts', 'prestart.cjs'), join(dir, 'scripts', 'prestart.cjs'));
      const run = () => spawnSync(process.execPath, [join(dir, 'scripts', 'prestart.cjs')], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
      const missing = run();
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('dist/main.js is missing and TypeScript is not installed');
      mkdirSync(join(dir, 'dist'));
      writeFileSync(join(dir, 'dist', 'main.js'), '');
      const shipped = run();
      expect(shipped.status).toBe(0);
      expect(shipped.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with TypeScript: builds when src changed since the last build, and not otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-prestart-dev-'));
    try {
      for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) copyFileSync(join(ROOT, f), join(dir, f));
      cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
      mkdirSync(join(dir, 'scripts'));
      copyFileSync(join(ROOT, 'scripts', 'prestart.cjs'), join(dir, 'scripts', 'prestart.cjs'));
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const run = () => spawnSync(process.execPath, [join(dir, 'scripts', 'prestart.cjs')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      const info = join(dir, 'dist', '.tsbuildinfo');
      expect(run().status).toBe(0);
      expect(statSync(join(dir, 'dist', 'main.js')).isFile()).toBe(true);
      // Nothing changed since (every input older than the build info): no build, the build info untouched.
      const past = new Date(Date.now() - 60_000);
      const older = new Date(past.getTime() - 60_000);
      const setBack = (d: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) setBack(join(d, e.name));
          else utimesSync(join(d, e.name), older, older);
        }
      };
      setBack(join(dir, 'src'));
      for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) utimesSync(join(dir, f), older, older);
      utimesSync(info, past, past);
      const stamp = (p: string) => statSync(p).mtimeMs;
      expect(run().status).toBe(0);
      expect(Math.round(stamp(info))).toBe(past.getTime());
      // package.json touched: tsc runs and has nothing to emit; the build is still marked current (else every start would run tsc).
      utimesSync(join(dir, 'package.json'), new Date(), new Date());
      expect(run().status).toBe(0);
      expect(stamp(info)).toBeGreaterThan(past.getTime() + 1000);
      utimesSync(info, past, past);
      utimesSync(join(dir, 'package.json'), older, older);
      // A source file changed: it builds again, and marks the build current.
      writeFileSync(join(dir, 'src', 'main.ts'), `${readFileSync(join(dir, 'src', 'main.ts'), 'utf8')}\n`);
      expect(run().status).toBe(0);
      expect(stamp(info)).toBeGreaterThan(past.getTime() + 1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

