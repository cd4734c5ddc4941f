// Prisma 7 CLI configuration. The CLI would download a native schema engine, which this
// environment cannot reach; we point it at our own engine shim (see DECISIONS.md D-003).
import path from 'node:path';
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve('scripts/prisma-schema-engine.mjs');
process.env.CHECKPOINT_DISABLE ??= '1';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'file:./data/cpm-pf.db' },
});
