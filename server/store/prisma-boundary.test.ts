// One store layer (issue 14): every read and write of the database goes through the repositories
// of server/store, which return plain objects. This check reads every source file of the project
// outside server/store and fails on any use of the Prisma client there: an import of a generated
// client, of @prisma/client or of a driver adapter; a `.prisma` handle (`db.prisma`, `pf.db.prisma.x`);
// or a query on a model delegate (`x.user.findMany(`, `x.$transaction(`), model names taken from
// the schema so a new model is covered without editing this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STORE = path.join('server', 'store');
const SKIP_DIRS = new Set(['node_modules', '.next', '.git', 'data', 'test-results', 'playwright-report', 'artifacts', 'results', 'generated', 'generated-postgres']);
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

/**
 * Files outside server/store allowed to touch Prisma, each with why. Keep it short.
 * - scripts/prisma-offline.sip.test.ts checks that the Prisma tooling itself (generate, migrate,
 *   a client over each adapter) works without network: Prisma is what it tests.
 * - scripts/prisma-schema-engine.mjs is the schema-engine shim the Prisma CLI runs (migrate,
 *   db pull): it drives the database through Prisma's driver adapters by design.
 */
const ALLOWED = new Set(['scripts/prisma-offline.sip.test.ts', 'scripts/prisma-schema-engine.mjs']);

const QUERY_METHODS = [
  'findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'create', 'createMany', 'createManyAndReturn',
  'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany', 'count', 'aggregate', 'groupBy',
];

function modelDelegates(): string[] {
  const schema = readFileSync(path.join(ROOT, 'prisma', 'schema.prisma'), 'utf8');
  return [...schema.matchAll(/^model\s+(\w+)/gm)].map((m) => m[1][0].toLowerCase() + m[1].slice(1));
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    const rel = path.relative(ROOT, p);
    if (rel === STORE) continue;
    if (e.isDirectory()) sourceFiles(p, out);
    else if (SOURCE.test(e.name)) out.push(rel.split(path.sep).join('/'));
  }
  return out;
}

export interface PrismaUse {
  file: string;
  line: number;
  text: string;
}

/** Every line of `source` that uses the Prisma client (see the header for what counts). */
export function prismaUses(source: string, models: string[]): Array<{ line: number; text: string }> {
  const rules = [
    /(from\s+|import\s*\(\s*|require\s*\(\s*)['"][^'"]*(\/store\/generated[^'"]*|@prisma\/client[^'"]*|@prisma\/adapter-[^'"]*)['"]/,
    /\bdb\.prisma\b|\.prisma\.[A-Za-z_$]/,
    new RegExp(`\\.(${models.join('|')})\\s*\\.\\s*(${QUERY_METHODS.join('|')})\\s*\\(`),
    /\.\$(transaction|queryRaw|queryRawUnsafe|executeRaw|executeRawUnsafe|disconnect)\b/,
  ];
  const found: Array<{ line: number; text: string }> = [];
  source.split('\n').forEach((text, i) => {
    if (rules.some((r) => r.test(text))) found.push({ line: i + 1, text: text.trim() });
  });
  return found;
}

test('issue 14: the rules see each kind of Prisma use, and not a Map or a word in prose', () => {
  const models = ['user', 'cpmSession', 'storedObject'];
  const hits = (s: string) => prismaUses(s, models).length;
  assert.equal(hits(`import type { PrismaClient } from '../store/generated/client';`), 1);
  assert.equal(hits(`const { PrismaPg } = await import('@prisma/adapter-pg');`), 1);
  assert.equal(hits(`import { Prisma } from "@prisma/client";`), 1);
  assert.equal(hits(`await ensureUsers(db.prisma, seed);`), 1);
  assert.equal(hits(`const n = await h.pf.db.prisma.cpmSession.count();`), 1);
  assert.equal(hits(`const u = await this.deps.db.user.findUnique({ where: { aor } });`), 1);
  assert.equal(hits(`await tx.storedObject.create({ data });`), 1);
  assert.equal(hits(`await db.$transaction(async (tx) => {});`), 1);
  assert.equal(hits(`this.timers.delete(name); users.get(aor); cache.user.size;`), 0);
  assert.equal(hits(`// see prisma/schema.prisma and prisma.config.ts`), 0);
});

test('issue 14: no file outside server/store uses the Prisma client (one store layer)', () => {
  const models = modelDelegates();
  assert.ok(models.includes('cpmSession') && models.includes('storedObject'), `models read from the schema: ${models.join(', ')}`);
  const uses: PrismaUse[] = [];
  for (const file of sourceFiles(ROOT)) {
    if (ALLOWED.has(file)) continue;
    for (const u of prismaUses(readFileSync(path.join(ROOT, file), 'utf8'), models)) uses.push({ file, ...u });
  }
  const lines = uses.map((u) => `${u.file}:${u.line}: ${u.text}`);
  assert.equal(lines.length, 0, `${lines.length} lines use Prisma outside server/store (add or use a repository in server/store instead):\n${lines.join('\n')}`);
});
