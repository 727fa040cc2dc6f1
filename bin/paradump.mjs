#!/usr/bin/env node
// The CLI is TypeScript run through tsx, the same sources the web app and the tests use.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
