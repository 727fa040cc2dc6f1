import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The PostgreSQL store (PARADUMP_DATABASE_URL=postgresql://…): `prisma … --config prisma/postgres/prisma.config.ts`.
// Same engine-download workaround as ../../prisma.config.ts.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(import.meta.dirname, '..', '..', 'package.json');

export default defineConfig({
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  datasource: { url: process.env.PARADUMP_DATABASE_URL ?? 'postgresql://localhost/paradump' },
});
