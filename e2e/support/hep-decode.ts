// Reads a HEP3 packet back into its fields, for tests of what the PF sends a Homer collector.
// Independent of server/capture/hep.ts on purpose: it walks the chunks as the HEP3 description
// lays them out and throws on anything malformed (a wrong length is a failed test, not a guess).
export interface DecodedHep {
  family: number;
  protocol: number;
  src: { host: string; port: number };
  dst: { host: string; port: number };
  timeSec: number;
  timeUsec: number;
  protocolType: number;
  captureId: number;
  nodeName?: string;
  correlationId?: string;
  payload: Buffer;
  /** every chunk type seen, in order */
  types: number[];
}

function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) throw new Error(`an address chunk of ${b.length} bytes`);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

export function decodeHep(packet: Buffer): DecodedHep {
  if (packet.toString('latin1', 0, 4) !== 'HEP3') throw new Error('not HEP3');
  const total = packet.readUInt16BE(4);
  if (total !== packet.length) throw new Error(`HEP3 length ${total} but the packet has ${packet.length} bytes`);
  const out: Partial<DecodedHep> & { types: number[]; src: { host: string; port: number }; dst: { host: string; port: number } } = { types: [], src: { host: '', port: 0 }, dst: { host: '', port: 0 } };
  let at = 6;
  while (at < total) {
    if (at + 6 > total) throw new Error(`a chunk header cut at ${at}`);
    const vendor = packet.readUInt16BE(at);
    const type = packet.readUInt16BE(at + 2);
    const len = packet.readUInt16BE(at + 4);
    if (len < 6 || at + len > total) throw new Error(`chunk ${type} at ${at} has length ${len}`);
    const v = packet.subarray(at + 6, at + len);
    if (vendor === 0) {
      out.types.push(type);
      switch (type) {
        case 1: out.family = v.readUInt8(0); break;
        case 2: out.protocol = v.readUInt8(0); break;
        case 3: case 5: out.src.host = ipText(v); break;
        case 4: case 6: out.dst.host = ipText(v); break;
        case 7: out.src.port = v.readUInt16BE(0); break;
        case 8: out.dst.port = v.readUInt16BE(0); break;
        case 9: out.timeSec = v.readUInt32BE(0); break;
        case 10: out.timeUsec = v.readUInt32BE(0); break;
        case 11: out.protocolType = v.readUInt8(0); break;
        case 12: out.captureId = v.readUInt32BE(0); break;
        case 15: out.payload = Buffer.from(v); break;
        case 17: out.correlationId = v.toString('latin1'); break;
        case 19: out.nodeName = v.toString('utf8'); break;
        default: break;
      }
    }
    at += len;
  }
  if (!out.payload) throw new Error('no payload chunk');
  return out as DecodedHep;
}

/** Cuts HEP3 packets out of a TCP byte stream (each says its own length). */
export function hepStream(onPacket: (p: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 6) {
      const len = buf.readUInt16BE(4);
      if (buf.length < len) return;
      onPacket(buf.subarray(0, len));
      buf = buf.subarray(len);
    }
  };
}
