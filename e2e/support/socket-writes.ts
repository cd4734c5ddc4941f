// Counts the writes a socket's handle is asked for, each a syscall: what one-write-per-turn
// (corkPerTurn, D-296) saves is seen here, below Node's stream buffering.
import type net from 'node:net';

export function countHandleWrites(s: net.Socket): () => number {
  const handle = (s as unknown as { _handle: Record<string, (...a: unknown[]) => unknown> })._handle;
  let n = 0;
  for (const m of ['writev', 'writeUtf8String', 'writeLatin1String', 'writeBuffer', 'writeAsciiString']) {
    const f = handle[m];
    if (typeof f === 'function') handle[m] = (...a: unknown[]) => {
      n++;
      return f.apply(handle, a);
    };
  }
  return () => n;
}
