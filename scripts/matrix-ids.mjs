#!/usr/bin/env node
// Extracts the test-row ids of ../shared/spec/MATRIX.md (sections A to N) into
// server/engine/matrix-ids.txt, the list the coverage check holds the tests to.
// Usage: node scripts/matrix-ids.mjs [--check]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const MATRIX = '../shared/spec/MATRIX.md';
export const SNAPSHOT = 'server/engine/matrix-ids.txt';

export function matrixIds(text) {
  const ids = [];
  let section;
  for (const line of text.split('\n')) {
    const h = /^## ([A-Z])\./.exec(line);
    if (h) section = h[1];
    if (!section || section === 'Z') continue;
    const m = /^\| ([A-Za-z0-9][A-Za-z0-9.-]*) \|/.exec(line);
    if (m && m[1] !== 'Id' && m[1] !== 'Fixture') ids.push(m[1]);
  }
  return ids;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(MATRIX)) {
    console.error(`${MATRIX} not found: run from the project root with shared/ beside it`);
    process.exit(2);
  }
  const ids = matrixIds(readFileSync(MATRIX, 'utf8'));
  const text = `${ids.join('\n')}\n`;
  if (process.argv.includes('--check')) {
    const same = existsSync(SNAPSHOT) && readFileSync(SNAPSHOT, 'utf8') === text;
    console.log(same ? `${SNAPSHOT} matches MATRIX.md (${ids.length} ids)` : `${SNAPSHOT} differs from MATRIX.md; run node scripts/matrix-ids.mjs`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(SNAPSHOT, text);
  console.log(`wrote ${ids.length} ids to ${SNAPSHOT}`);
}
