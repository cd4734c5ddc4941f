// The database a bench part's PF runs on, from that part's environment variable: its SQLite file
// (the default) or a throwaway PostgreSQL of its own (D-337), whose server's CPU is not counted.
import { startThrowawayPostgres, type ThrowawayPostgres } from '../scripts/pg-throwaway.mjs';

export interface BenchDatabase {
  provider: 'sqlite' | 'postgresql';
  /** the throwaway server when the provider is PostgreSQL; the caller stops it */
  postgres?: ThrowawayPostgres;
}

/** `variable` (e.g. BENCH_COST_DB) read as sqlite or postgresql; anything else is an error that names it */
export async function benchDatabase(variable: string): Promise<BenchDatabase> {
  const provider = process.env[variable] ?? 'sqlite';
  if (provider !== 'sqlite' && provider !== 'postgresql') throw new Error(`${variable} must be sqlite or postgresql, got "${provider}"`);
  return provider === 'postgresql' ? { provider, postgres: await startThrowawayPostgres() } : { provider };
}
