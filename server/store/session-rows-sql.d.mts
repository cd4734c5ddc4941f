// Types for server/store/session-rows-sql.mjs (plain JS: it runs in the SQLite writer thread).
import type { Database } from 'better-sqlite3';
import type { SessionWritePlan } from './sessions';
export function sessionPlansWriter(db: Database): (plans: SessionWritePlan[]) => void;
