// Types for server/store/sqlite-datetime.mjs (plain JS: the SQLite writer thread has no TypeScript loader).
/** a Date, ISO text or epoch ms as Prisma's SQLite DateTime text; null and undefined as null */
export function sqliteDateTime(d: Date | string | number | null | undefined): string | null;
