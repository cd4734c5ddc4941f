// The recording's JSON before deflate, per procedure: the deterministic half of its cost (the
// same traffic writes the same text, whatever the machine's load), beside the deflated bytes.
// `node --import tsx bench/record-json.ts <database url>` prints it for a PF's database.
import { openDatabase } from '../server/store/database';
import { recordedBatches } from '../server/store/engine-recording';

export interface RecordJson {
  /** UTF-8 bytes of every line, version definitions included */
  bytes: number;
  calls: number;
  /** per procedure, and 'version' for the definitions of versioned arguments: lines and bytes */
  byKind: Record<string, { lines: number; bytes: number }>;
}

export async function recordJson(databaseUrl: string): Promise<RecordJson> {
  const db = await openDatabase(databaseUrl);
  const out: RecordJson = { bytes: 0, calls: 0, byKind: {} };
  try {
    for await (const b of recordedBatches(db.store, new Date(0), new Date(Date.now() + 365 * 86_400_000))) {
      for (const line of b.lines) {
        const kind = line.startsWith('{"v":') ? 'version' : (/^\{"p":"([^"]+)"/.exec(line)?.[1] ?? '?');
        const n = Buffer.byteLength(line, 'utf8') + 1;
        const k = (out.byKind[kind] ??= { lines: 0, bytes: 0 });
        k.lines++;
        k.bytes += n;
        out.bytes += n;
        if (kind !== 'version') out.calls++;
      }
    }
  } finally {
    await db.close();
  }
  return out;
}

if (process.argv[1]?.endsWith('record-json.ts') && process.argv[2]) {
  const r = await recordJson(process.argv[2]);
  console.log(JSON.stringify(r, null, 1));
}
