// Does a host name resolve? Asked before the PF sends a request straight to a Request-URI host
// (no outbound proxy): a name that does not resolve gets an answer at once instead of a
// transaction that runs out unanswered (D-113). Answers are kept a minute, a bounded number.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

const KEPT_MS = 60_000;
const MAX_KEPT = 1000;
const LOOKUP_MS = 1500;
const known = new Map<string, { ok: boolean; at: number }>();

export async function hostResolves(host: string, now = Date.now()): Promise<boolean> {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(h) || h === 'localhost') return true;
  const k = known.get(h);
  if (k && now - k.at < KEPT_MS) return k.ok;
  const ok = await Promise.race([
    lookup(h).then(() => true, () => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), LOOKUP_MS).unref()),
  ]);
  if (known.size >= MAX_KEPT) known.delete(known.keys().next().value!);
  known.set(h, { ok, at: now });
  return ok;
}

/** The host of a SIP or SIPS URI, lower-cased, or undefined. */
export function sipHost(uri: string): string | undefined {
  const m = /^sips?:(?:[^@;?]*@)?(\[[^\]]+\]|[^:;?>]+)/i.exec(uri.trim());
  return m?.[1].replace(/^\[|\]$/g, '').toLowerCase();
}
