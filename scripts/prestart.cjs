#!/usr/bin/env node
// Runs before `npm start`: builds dist/ from src/ when TypeScript is installed (a development
// checkout) and something changed since the last build; a production install (npm ci --omit=dev,
// no TypeScript) runs the dist/ it was shipped with, or says how to get one.
// Usage: node scripts/prestart.cjs [project root]   (default: the folder above this script)
'use strict';
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = process.argv[2] ?? join(__dirname, '..');
const info = join(root, 'dist', '.tsbuildinfo');

function tscPath() {
  try {
    return require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    return null;
  }
}

/** The newest modification time among the build's inputs (src/, the tsconfigs, package.json). */
function newestInput() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(root, 'src'));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) if (existsSync(join(root, f))) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return newest;
}

const tsc = tscPath();
if (tsc === null) {
  if (existsSync(join(root, 'dist', 'main.js'))) process.exit(0);
  process.stderr.write('npm start: dist/main.js is missing and TypeScript is not installed to build it. Install with dev dependencies and build (npm ci && npm run build), or run the Docker image.\n');
  process.exit(1);
}
if (existsSync(join(root, 'dist', 'main.js')) && existsSync(info) && statSync(info).mtimeMs >= newestInput()) process.exit(0);
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--incremental', '--tsBuildInfoFile', info], { stdio: 'inherit', cwd: root });
// tsc leaves its build info untouched when nothing needed emitting: mark this build as current.
if (r.status === 0 && existsSync(info)) utimesSync(info, new Date(), new Date());
process.exit(r.status ?? 1);
