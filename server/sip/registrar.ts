// Registrar for served users: who is reachable where. Bindings live in memory for the hot path
// and in the database so that a restart keeps them.
import type { Db } from '../store/database';
import { liveRegistrations, removeRegistration, upsertRegistration } from '../store/registrations';
import { aorOf, paramValue, parseNameAddr, splitList } from './addresses';
import type { SrfRequest } from './srf-types';

export interface Binding {
  aor: string;
  contact: string;
  instance?: string;
  /** the Contact header parameters as registered (feature tags, +sip.instance, expires ...) */
  featureTags: string;
  userAgent?: string;
  source: string;
  expiresAt: number;
}

export type RegisterOutcome =
  | { ok: true; status: 200; bindings: Binding[]; /** bindings created or refreshed by this request */ added: Binding[] }
  | { ok: false; status: 400 | 404; reason: string };

const DEFAULT_EXPIRES = 3600;
const MAX_EXPIRES = 86400;

export class Registrar {
  private byAor = new Map<string, Map<string, Binding>>();

  constructor(
    private readonly db: Db,
    private readonly userId: (aor: string) => string | undefined,
    private readonly onChange: (aor: string, bindings: Binding[]) => void = () => {},
  ) {}

  async load(now: number): Promise<void> {
    for (const r of await liveRegistrations(this.db, new Date(now))) {
      this.put({
        aor: r.aor,
        contact: r.contact,
        instance: r.instance ?? undefined,
        featureTags: r.featureTags,
        userAgent: r.userAgent ?? undefined,
        source: r.sourceAddr,
        expiresAt: r.expiresAt.getTime(),
      });
    }
  }

  /** Live bindings of a served user, expired ones pruned. */
  contacts(aor: string, now: number): Binding[] {
    const m = this.byAor.get(aor);
    if (!m) return [];
    for (const [k, b] of m) if (b.expiresAt <= now) m.delete(k);
    return [...m.values()];
  }

  /**
   * The request came from one of this user's clients: from the flow it registered on, or from the
   * host:port of its registered Contact (clients normally send from their contact address).
   */
  isClientSource(aor: string, source: string, now: number): boolean {
    const hostPort = source.slice(source.indexOf('/') + 1);
    return this.contacts(aor, now).some((b) => b.source === source || contactHostPort(b.contact) === hostPort);
  }

  count(now: number): number {
    let n = 0;
    for (const aor of this.byAor.keys()) n += this.contacts(aor, now).length;
    return n;
  }

  async handleRegister(req: SrfRequest, now: number): Promise<RegisterOutcome> {
    const to = parseNameAddr(req.get('To') ?? '');
    const aor = to && aorOf(to.uri);
    if (!aor) return { ok: false, status: 400, reason: 'Bad To header' };
    const userId = this.userId(aor);
    if (!userId) return { ok: false, status: 404, reason: 'Not a served user' };

    const headerExpires = req.get('Expires');
    const defaultExpires = headerExpires !== undefined && /^\d+$/.test(headerExpires.trim()) ? Number(headerExpires) : DEFAULT_EXPIRES;
    const contactHeader = req.get('Contact');
    const source = `${req.protocol}/${req.source_address}:${req.source_port}`;
    const added: Binding[] = [];
    if (contactHeader !== undefined && contactHeader.trim() !== '*') {
      for (const item of splitList(contactHeader)) {
        const na = parseNameAddr(item);
        if (!na || !/^sips?:/i.test(na.uri)) return { ok: false, status: 400, reason: 'Bad Contact header' };
        const e = paramValue(na.params, 'expires');
        const expires = Math.min(e !== undefined && /^\d+$/.test(e) ? Number(e) : defaultExpires, MAX_EXPIRES);
        if (expires === 0) {
          this.delete(aor, na.uri);
          await removeRegistration(this.db, userId, na.uri);
          continue;
        }
        const b: Binding = {
          aor,
          contact: na.uri,
          instance: paramValue(na.params, '+sip.instance'),
          featureTags: na.params,
          userAgent: req.get('User-Agent'),
          source,
          expiresAt: now + expires * 1000,
        };
        // Durable before the 200 leaves: a client told it is registered must stay reachable.
        await upsertRegistration(this.db, {
          userId,
          contact: b.contact,
          instance: b.instance ?? null,
          featureTags: b.featureTags,
          userAgent: b.userAgent ?? null,
          sourceAddr: source,
          expiresAt: new Date(b.expiresAt),
        });
        this.put(b);
        added.push(b);
      }
    } else if (contactHeader?.trim() === '*') {
      if (defaultExpires !== 0) return { ok: false, status: 400, reason: 'Contact * requires Expires: 0' };
      for (const b of this.contacts(aor, now)) {
        this.delete(aor, b.contact);
        await removeRegistration(this.db, userId, b.contact);
      }
    }
    const bindings = this.contacts(aor, now);
    this.onChange(aor, bindings);
    return { ok: true, status: 200, bindings, added };
  }

  private put(b: Binding): void {
    let m = this.byAor.get(b.aor);
    if (!m) this.byAor.set(b.aor, (m = new Map()));
    m.set(b.contact, b);
  }

  private delete(aor: string, contact: string): void {
    this.byAor.get(aor)?.delete(contact);
  }
}

function contactHostPort(contact: string): string | undefined {
  const m = /^sips?:(?:[^@]*@)?([^;?>]+)/i.exec(contact);
  if (!m) return undefined;
  return m[1].includes(':') ? m[1].toLowerCase() : `${m[1].toLowerCase()}:5060`;
}

export function contactHeaderFor(bindings: Binding[], now: number): string | undefined {
  if (bindings.length === 0) return undefined;
  return bindings.map((b) => `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`).join(', ');
}
