// Reads a classic pcap file of raw IP packets (what server/capture/pcap.ts writes) back into
// records: time, addresses, ports, transport, TCP sequence number and payload; checks every IP,
// UDP and TCP checksum on the way. For tests; throws on anything malformed.
export interface PcapPacket {
  atUs: number;
  family: 4 | 6;
  proto: 'udp' | 'tcp';
  src: { host: string; port: number };
  dst: { host: string; port: number };
  seq?: number;
  payload: Buffer;
}

function sum16(parts: Buffer[]): number {
  const all = Buffer.concat(parts);
  let s = 0;
  for (let i = 0; i < all.length; i += 2) s += (all[i] << 8) | (i + 1 < all.length ? all[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function host(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i).toString(16));
  return g.join(':');
}

export function readPcap(file: Buffer): { linkType: number; packets: PcapPacket[] } {
  if (file.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap file');
  if (file.readUInt16LE(4) !== 2 || file.readUInt16LE(6) !== 4) throw new Error('not pcap 2.4');
  const linkType = file.readUInt32LE(20);
  const packets: PcapPacket[] = [];
  let at = 24;
  while (at < file.length) {
    const sec = file.readUInt32LE(at);
    const usec = file.readUInt32LE(at + 4);
    const incl = file.readUInt32LE(at + 8);
    if (file.readUInt32LE(at + 12) !== incl) throw new Error('a truncated record');
    const p = file.subarray(at + 16, at + 16 + incl);
    if (p.length !== incl) throw new Error('the file ends inside a record');
    at += 16 + incl;
    const version = p[0] >> 4;
    let src: Buffer, dst: Buffer, next: number, l4: Buffer, pseudo: Buffer;
    if (version === 4) {
      const ihl = (p[0] & 0x0f) * 4;
      if (p.readUInt16BE(2) !== p.length) throw new Error('IPv4 total length differs from the record');
      if (sum16([p.subarray(0, ihl)]) !== 0xffff) throw new Error('bad IPv4 header checksum');
      src = p.subarray(12, 16); dst = p.subarray(16, 20); next = p[9]; l4 = p.subarray(ihl);
      pseudo = Buffer.concat([src, dst, Buffer.from([0, next, l4.length >> 8, l4.length & 0xff])]);
    } else if (version === 6) {
      if (p.readUInt16BE(4) !== p.length - 40) throw new Error('IPv6 payload length differs from the record');
      src = p.subarray(8, 24); dst = p.subarray(24, 40); next = p[6]; l4 = p.subarray(40);
      const len = Buffer.alloc(4); len.writeUInt32BE(l4.length);
      pseudo = Buffer.concat([src, dst, len, Buffer.from([0, 0, 0, next])]);
    } else throw new Error(`IP version ${version}`);
    if (sum16([pseudo, l4]) !== 0xffff) throw new Error(`bad ${next === 17 ? 'UDP' : 'TCP'} checksum`);
    const base = { atUs: sec * 1e6 + usec, family: version as 4 | 6, src: { host: host(src), port: l4.readUInt16BE(0) }, dst: { host: host(dst), port: l4.readUInt16BE(2) } };
    if (next === 17) {
      if (l4.readUInt16BE(4) !== l4.length) throw new Error('UDP length differs');
      packets.push({ ...base, proto: 'udp', payload: Buffer.from(l4.subarray(8)) });
    } else if (next === 6) {
      const off = (l4[12] >> 4) * 4;
      packets.push({ ...base, proto: 'tcp', seq: l4.readUInt32BE(4), payload: Buffer.from(l4.subarray(off)) });
    } else throw new Error(`IP protocol ${next}`);
  }
  return { linkType, packets };
}
