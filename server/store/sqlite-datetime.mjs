// Prisma's SQLite DateTime text (ISO 8601 with an explicit +00:00 offset), for rows the SQLite
// writer thread writes without Prisma: decisions, sessions and recorded batches must read back
// through Prisma as if Prisma had written them. Plain JavaScript: the thread has no TypeScript loader.

/** a Date, ISO text or epoch ms as Prisma's SQLite DateTime text; null and undefined as null */
export const sqliteDateTime = (d) => (d === null || d === undefined ? null : new Date(d).toISOString().replace('Z', '+00:00'));
