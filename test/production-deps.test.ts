import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(pkg.scripts.prestart).toContain('build');
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
