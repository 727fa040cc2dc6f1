import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The Prisma CLI downloads its native schema engine at start for every command, `generate` included,
// and this machine has no route to that download. Pointing the variable at any existing file skips it;
// `??=` lets a connected machine that wants the real engine (for `migrate dev`) override it.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve('package.json');

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  datasource: { url: process.env.PARADUMP_DATABASE_URL ?? 'file:./data/paradump.db' },
});
