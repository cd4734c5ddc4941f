// Types for scripts/pg-throwaway.mjs (plain JS so that it runs without a build step).
export interface ThrowawayPostgres {
  /** postgresql:// URL of the requested database (default: postgres) */
  url: string;
  /** URL of the `postgres` maintenance database, for CREATE/DROP DATABASE */
  adminUrl: string;
  port: number;
  /** the temporary folder holding the cluster; removed by stop() */
  dir: string;
  stop(): Promise<void>;
}

export interface ThrowawayPostgresOptions {
  /** create this database and return its URL */
  database?: string;
  startTimeoutMs?: number;
  /** receives the server's log lines */
  log?: (line: string) => void;
}

export function startThrowawayPostgres(options?: ThrowawayPostgresOptions): Promise<ThrowawayPostgres>;
