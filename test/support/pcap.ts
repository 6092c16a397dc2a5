// Reads a pcap file as tcpdump -w writes it (Ethernet link type) into the frames a VRRP test looks
// at: IPv4 and IPv6 packets (addresses, TTL or hop limit, protocol, payload) and ARP. Only
// complete records are read, so a capture still being written (tcpdump -U) can be read at any
// time. Anything else on the wire is kept as 'other'.

export interface IpPacket {
  kind: 'ip';
  family: 'ipv4' | 'ipv6';
  /** Seconds since the epoch, from the capture. */
  time: number;
  sourceMac: string;
  destinationMac: string;
  source: string;
  destination: string;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: number;
  /** IPv4 protocol or IPv6 next header (no extension headers are expected here). */
  protocol: number;
  /** The IP payload, cut to the IP header's length. */
  payload: Buffer;
}

export interface ArpPacket {
  kind: 'arp';
  time: number;
  sourceMac: string;
  destinationMac: string;
  /** 1 request, 2 reply. */
  operation: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export interface OtherFrame {
  kind: 'other';
  time: number;
  etherType: number;
}

export type CapturedFrame = IpPacket | ArpPacket | OtherFrame;

const LINKTYPE_ETHERNET = 1;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

function mac(bytes: Buffer, offset: number): string {
  return [...bytes.subarray(offset, offset + 6)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(':');
}

function ipv4(bytes: Buffer, offset: number): string {
  return [...bytes.subarray(offset, offset + 4)].join('.');
}

/** IPv6 text, compressed as ip(8) and model/identity.ts print it. */
export function ipv6(bytes: Buffer, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(bytes.readUInt16BE(offset + i * 2));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  const head = hex.slice(0, best.start).join(':');
  const tail = hex.slice(best.start + best.length).join(':');
  return `${head}::${tail}`;
}

function frame(data: Buffer, time: number): CapturedFrame {
  if (data.length < 14) return { kind: 'other', time, etherType: -1 };
  const destinationMac = mac(data, 0);
  const sourceMac = mac(data, 6);
  const etherType = data.readUInt16BE(12);
  const body = data.subarray(14);
  if (etherType === 0x0800 && body.length >= 20) {
    const headerLength = (body.readUInt8(0) & 0x0f) * 4;
    const total = Math.min(body.readUInt16BE(2), body.length);
    return {
      kind: 'ip',
      family: 'ipv4',
      time,
      sourceMac,
      destinationMac,
      source: ipv4(body, 12),
      destination: ipv4(body, 16),
      ttl: body.readUInt8(8),
      protocol: body.readUInt8(9),
      payload: Buffer.from(body.subarray(headerLength, total)),
    };
  }
  if (etherType === 0x86dd && body.length >= 40) {
    const length = Math.min(body.readUInt16BE(4), body.length - 40);
    return {
      kind: 'ip',
      family: 'ipv6',
      time,
      sourceMac,
      destinationMac,
      source: ipv6(body, 8),
      destination: ipv6(body, 24),
      ttl: body.readUInt8(7),
      protocol: body.readUInt8(6),
      payload: Buffer.from(body.subarray(40, 40 + length)),
    };
  }
  if (etherType === 0x0806 && body.length >= 28 && body.readUInt16BE(2) === 0x0800) {
    return {
      kind: 'arp',
      time,
      sourceMac,
      destinationMac,
      operation: body.readUInt16BE(6),
      senderMac: mac(body, 8),
      senderIp: ipv4(body, 14),
      targetMac: mac(body, 18),
      targetIp: ipv4(body, 24),
    };
  }
  return { kind: 'other', time, etherType };
}

/** The complete frames in a pcap file's bytes. Throws on a file that is not Ethernet pcap. */
export function parsePcap(file: Buffer): CapturedFrame[] {
  if (file.length < GLOBAL_HEADER) return []; // tcpdump has not written its header yet
  const magic = file.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const big = file.readUInt32BE(0) === 0xa1b2c3d4 || file.readUInt32BE(0) === 0xa1b23c4d;
  if (!little && !big) throw new Error(`not a pcap file (magic 0x${magic.toString(16)})`);
  const u32 = (offset: number) => (little ? file.readUInt32LE(offset) : file.readUInt32BE(offset));
  const nano = (little ? magic : file.readUInt32BE(0)) === 0xa1b23c4d;
  const linkType = u32(20);
  if (linkType !== LINKTYPE_ETHERNET)
    throw new Error(`pcap link type ${linkType}, not Ethernet: capture on one interface`);
  const frames: CapturedFrame[] = [];
  for (let at = GLOBAL_HEADER; at + RECORD_HEADER <= file.length;) {
    const time = u32(at) + u32(at + 4) / (nano ? 1e9 : 1e6);
    const included = u32(at + 8);
    const start = at + RECORD_HEADER;
    if (start + included > file.length) break; // still being written
    frames.push(frame(file.subarray(start, start + included), time));
    at = start + included;
  }
  return frames;
}
