// Prisma 7 CLI configuration. The CLI would download a native schema engine, which this
// environment cannot reach; we point it at our own engine shim (see DECISIONS.md D-003).
//
// DATABASE_URL chooses the database and with it the schema: file: URLs use the SQLite schema
// (prisma/schema.prisma, the source of truth), postgres(ql):// URLs the PostgreSQL copy derived
// from it (prisma/postgres/schema.prisma, see scripts/prisma-sync-postgres.mjs). Migrations live
// next to whichever schema is in use (prisma/migrations, prisma/postgres/migrations), which is
// also where `--schema <file>` sends them.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve('scripts/prisma-schema-engine.mjs');
process.env.CHECKPOINT_DISABLE ??= '1';

const url = process.env.DATABASE_URL ?? 'file:./data/cpm-pf.db';
const postgres = /^postgres(ql)?:\/\//i.test(url);

export default defineConfig({
  schema: postgres ? 'prisma/postgres/schema.prisma' : 'prisma/schema.prisma',
  datasource: { url },
});
