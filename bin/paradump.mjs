#!/usr/bin/env node
// The CLI is TypeScript. When a precompiled bundle (node bin/build-cli.mjs) exists and is at least
// as new as every source it was built from, it runs that; otherwise — or with PARADUMP_FROM_SOURCE=1 —
// it compiles the sources through tsx, the same sources the web app and the tests use.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const bundle = new URL('node_modules/.cache/paradump/cli.mjs', root);

function bundleIsFresh() {
  if (process.env.PARADUMP_FROM_SOURCE === '1') return false;
  try {
    const built = statSync(bundle).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('node_modules/.cache/paradump/cli.inputs.json', root), 'utf8'));
    return inputs.length > 0 && inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= built);
  } catch {
    return false;
  }
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
