// Types for server/store/decision-insert-sql.mjs (plain JS: it runs in the PostgreSQL writer thread too).
import type { StoreProvider } from './open-client';
import type { DecisionRowIn } from './writer-thread';
export function decisionInsert(rows: DecisionRowIn[], provider: StoreProvider): { text: string; values: unknown[] };
