// What the console keeps beside the PF (the decision rate meter, the SIP trace for ladders) and
// the database handle the gateway reads. Registered once per bus by the console's routes, so the
// gateway, attached to the same bus, finds them without a change to the composition root.
import type { Db } from '../store/database';
import type { LiveBus } from './bus';
import { DecisionRate } from './decision-rate';
import { SipTrace } from './sip-trace';

export interface ConsoleServices {
  db: Db;
  rate: DecisionRate;
  trace: SipTrace;
}

const registry = new WeakMap<LiveBus, ConsoleServices>();

export function consoleServices(bus: LiveBus, db: Db): ConsoleServices {
  let s = registry.get(bus);
  if (!s) {
    const created: ConsoleServices = { db, rate: new DecisionRate(), trace: new SipTrace() };
    bus.on('decision', (d) => created.rate.record(d));
    bus.on('sip:message', (m) => bus.emit('sip:traced', created.trace.add(m)));
    registry.set(bus, (s = created));
  }
  return s;
}

export function registeredServices(bus: LiveBus): ConsoleServices | undefined {
  return registry.get(bus);
}
