// Types for scripts/cluster.mjs (plain JS so that `npm run cluster` runs without a build step).
import type { Daemon } from './daemon.mjs';

export interface ClusterPf {
  /** PF_INSTANCE: pf-a, pf-b, ... */
  name: string;
  sipPort: number;
  httpUrl: string;
  daemon: Daemon;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface Cluster {
  dir: string;
  domain: string;
  kamailio: { port: number; daemon: Daemon };
  pfs: ClusterPf[];
  databaseUrl: string;
  redisUrl: string;
  /** the console admin every instance was started with */
  admin: { username: string; password: string };
  stop(): Promise<void>;
}

export const CLI_PORTS: { kamailio: number; sip: number[]; http: number[] };
export function startCluster(o?: {
  instances?: number;
  ports?: { kamailio: number; sip: number[]; http: number[] };
  /** SEED_USERS of every instance */
  users?: string[];
  pfEnv?: Record<string, string>;
  log?: (line: string) => void;
  pingSec?: number;
}): Promise<Cluster>;
