// The socket.io Redis adapter (issue 19): with REDIS_URL set, what one PF instance's gateway emits
// to a room reaches the consoles connected to every instance, so any console node shows every
// instance's decisions, sessions and registrations. Without it, each instance streams only its own.
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { ConfigError } from '../config';
import type { Logger } from '../log';

export interface RedisLink {
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

/**
 * Connects the publishing and the subscribing client. A Redis that cannot be reached at start
 * stops the start with a sentence naming REDIS_URL (node-redis would retry silently for ever);
 * later outages are logged once each, and the clients reconnect by themselves.
 */
export async function connectRedis(url: string, log: Logger): Promise<RedisLink> {
  const pub = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) } });
  const sub = pub.duplicate();
  let up = false;
  let failing = false;
  const firstFailure = new Promise<never>((_, reject) => {
    for (const c of [pub, sub]) {
      c.on('error', (err: Error) => {
        if (!up) reject(new ConfigError(`REDIS_URL ${url}: cannot connect (${err.message})`));
        else if (!failing) log.warn(`redis: ${err.message}; live events reach only this instance's consoles until it is back`);
        failing = true;
      });
      c.on('ready', () => {
        if (up && failing) log.info('redis: connected again');
        failing = false;
      });
    }
  });
  try {
    await Promise.race([Promise.all([pub.connect(), sub.connect()]), firstFailure]);
  } catch (err) {
    await Promise.allSettled([pub.destroy(), sub.destroy()]);
    throw err;
  }
  up = true;
  firstFailure.catch(() => {});
  return {
    adapter: createAdapter(pub, sub),
    close: async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
