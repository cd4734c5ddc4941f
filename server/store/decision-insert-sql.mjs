// The decision log's multi-row INSERT, as text and parameters: what the Prisma path of
// server/store/decision-log.ts sends and what the PostgreSQL writer thread sends (D-337), so that
// rows read back through Prisma the same whoever wrote them. Columns are written as Prisma writes
// them: SQLite DateTime text with +00:00, PostgreSQL TIMESTAMP(3) without time zone holding UTC,
// the inputs as JSON text. Plain JavaScript: a worker thread has no TypeScript loader.
import { sqliteDateTime } from './sqlite-datetime.mjs';

const COLUMNS = ['id', 'seq', 'instance', 'at', 'userId', 'procedure', 'branch', 'outcome', 'summary', 'messageId', 'disposition', 'callId', 'sessionId', 'inputs']
  .map((c) => `"${c}"`)
  .join(', ');
const AT = 3;
const SEQ = 1;

/** TIMESTAMP(3) without time zone, holding UTC as Prisma does. */
const postgresTimestamp = (iso) => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');

/** One INSERT of every row given, with `?` (SQLite) or numbered, typed (PostgreSQL) placeholders. */
export function decisionInsert(rows, provider) {
  const values = [];
  const tuples = rows.map((d) => {
    const row = [
      d.id,
      d.seq,
      d.instance,
      provider === 'sqlite' ? sqliteDateTime(d.at) : postgresTimestamp(d.at),
      d.userId,
      d.procedure,
      d.branch,
      d.outcome,
      d.summary,
      d.messageId,
      d.disposition,
      d.callId,
      d.sessionId ?? null,
      JSON.stringify(d.inputs ?? {}),
    ];
    const marks = row.map((v, col) => {
      values.push(v);
      if (provider === 'sqlite') return '?';
      return col === AT ? `$${values.length}::timestamp(3)` : col === SEQ ? `$${values.length}::bigint` : `$${values.length}`;
    });
    return `(${marks.join(', ')})`;
  });
  return { text: `INSERT INTO "Decision" (${COLUMNS}) VALUES ${tuples.join(', ')}`, values };
}
