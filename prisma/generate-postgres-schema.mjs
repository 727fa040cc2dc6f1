#!/usr/bin/env node
// Writes prisma/postgres/schema.prisma from prisma/schema.prisma: the same models for the
// PostgreSQL store, so the models are defined once. Prisma allows one provider per schema, hence a
// second, generated file (not committed; `npm install` writes it before `prisma generate`).
// Only the datasource provider and the client's output folder differ.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const source = readFileSync(path.join(root, 'prisma', 'schema.prisma'), 'utf8');

function replaceOnce(text, pattern, replacement, what) {
  const matches = text.match(new RegExp(pattern.source, 'gm'));
  if (matches?.length !== 1) throw new Error(`prisma/schema.prisma: expected one ${what}, found ${matches?.length ?? 0}`);
  return text.replace(new RegExp(pattern.source, 'm'), replacement);
}

let schema = replaceOnce(source, /^(\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"', 'sqlite provider');
schema = replaceOnce(schema, /^(\s*output\s*=\s*)"\.\.\/lib\/generated\/prisma"/, '$1"../../lib/generated/prisma-pg"', 'client output');
const header = '// GENERATED from prisma/schema.prisma by prisma/generate-postgres-schema.mjs: edit that file, not this one.\n';
mkdirSync(path.join(root, 'prisma', 'postgres'), { recursive: true });
writeFileSync(path.join(root, 'prisma', 'postgres', 'schema.prisma'), header + schema);
