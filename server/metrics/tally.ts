// A counter whose increments on the request path cost a Map update: prom-client's own `inc` with
// labels checks and hashes the label object on every call (about 1 % of the PF's main thread
// under IMDN load, D-283). Increments wait in the map under their label values and are added to
// the prom-client counter when it is read, at each scrape, so what Prometheus sees is the same.
import { Counter, type Registry } from 'prom-client';

export interface Tally<L extends string> {
  counter: Counter<L>;
  /** one more of what these label values name (in labelNames' order) */
  add(...values: string[]): void;
  /** `n` more of it */
  addMany(n: number, values: readonly string[]): void;
}

const SEP = '\u0000';

export function tallyCounter<L extends string>(config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }): Tally<L> {
  const pending = new Map<string, number>();
  const counter = new Counter<L>({
    ...config,
    collect() {
      for (const [key, n] of pending) {
        const values = key.split(SEP);
        this.inc(Object.fromEntries(config.labelNames.map((l, i) => [l, values[i]])) as Partial<Record<L, string>>, n);
      }
      pending.clear();
    },
  });
  return {
    counter,
    add(...values) {
      const key = values.join(SEP);
      pending.set(key, (pending.get(key) ?? 0) + 1);
    },
    addMany(n, values) {
      const key = values.join(SEP);
      pending.set(key, (pending.get(key) ?? 0) + n);
    },
  };
}
