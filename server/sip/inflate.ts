// Inflates a compressed body for inspection (the engine's types and rules are in
// engine/parse/content-encoding.ts). zlib's output is capped, so a small body cannot inflate into a
// large one: past the cap it stops and the request gets 413.
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { codings, MAX_INFLATED_BYTES, type Inspectable } from '../engine/parse/content-encoding';

/**
 * The body as text to inspect. The output is capped so a small body cannot inflate into a large
 * one (a "zip bomb").
 */
export function inspectable(body: string, contentEncoding: string | undefined, cap = MAX_INFLATED_BYTES): Inspectable {
  const list = codings(contentEncoding);
  if (list.length === 0) return { ok: true, text: body };
  const encoding = list.join(', ');
  let bytes: Buffer = Buffer.from(body, 'latin1');
  // Codings were applied in order, so they are undone last first.
  for (const coding of [...list].reverse()) {
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate') return { ok: true, opaque: true, encoding };
    try {
      bytes = inflate(coding, bytes, cap);
    } catch (e) {
      const tooLarge = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError;
      return tooLarge
        ? { ok: false, code: 413, encoding, why: `the ${coding} body inflates past ${cap} bytes` }
        : { ok: false, code: 400, encoding, why: `the ${coding} body does not inflate (${(e as Error).message})` };
    }
  }
  return { ok: true, text: bytes.toString('latin1'), encoding };
}

function inflate(coding: string, bytes: Buffer, cap: number): Buffer {
  const opts = { maxOutputLength: cap };
  if (coding !== 'deflate') return gunzipSync(bytes, opts);
  // "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2); some senders put raw deflate there.
  try {
    return inflateSync(bytes, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw e;
    return inflateRawSync(bytes, opts);
  }
}
