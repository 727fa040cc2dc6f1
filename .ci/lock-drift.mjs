// Compares two package-lock.json files, leaving out optional packages (platform builds such as
// @next/swc-darwin-* or @tailwindcss/oxide-wasm32-wasi) and what nests under them: whether
// `npm install` records those depends on which builds the registry it reaches has that day, not on
// package.json. Any other difference (a version, a new or missing package) is drift.
// Usage: node .ci/lock-drift.mjs BEFORE AFTER — prints the drifted entries and exits 1 if any.
import { readFileSync } from 'node:fs';

const [beforeFile, afterFile] = process.argv.slice(2);
const load = (file) => JSON.parse(readFileSync(file, 'utf8')).packages ?? {};
function withoutOptional(packages) {
  const skipped = Object.keys(packages).filter((key) => key !== '' && packages[key].optional === true);
  const kept = {};
  for (const [key, entry] of Object.entries(packages)) {
    // A skipped package's own dependencies nest under its path.
    if (skipped.some((s) => key === s || key.startsWith(`${s}/node_modules/`))) continue;
    kept[key] = JSON.stringify(entry);
  }
  return kept;
}

const before = withoutOptional(load(beforeFile));
const after = withoutOptional(load(afterFile));
const drift = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => before[key] !== after[key]);
for (const key of drift) process.stderr.write(`  ${key || '(root)'}: ${before[key] === undefined ? 'added' : after[key] === undefined ? 'removed' : 'changed'}\n`);
process.exit(drift.length > 0 ? 1 : 0);
