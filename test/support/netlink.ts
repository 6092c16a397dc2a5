// A small netlink reader for tests: splits a generic netlink message into its headers and an
// attribute tree, so that golden comparisons can say which attribute differs.
export interface NlAttr {
  type: number;
  nested: boolean;
  data: Buffer;
  children?: NlAttr[];
}

export interface GenlMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  cmd: number;
  version: number;
  attrs: NlAttr[];
}

const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;

export function parseAttrs(buf: Buffer): NlAttr[] {
  const attrs: NlAttr[] = [];
  let offset = 0;
  while (offset + 4 <= buf.length) {
    const len = buf.readUInt16LE(offset);
    const rawType = buf.readUInt16LE(offset + 2);
    if (len < 4 || offset + len > buf.length) throw new Error(`malformed attribute at ${offset}`);
    const data = buf.subarray(offset + 4, offset + len);
    const nested = (rawType & NLA_F_NESTED) !== 0;
    attrs.push({
      type: rawType & NLA_TYPE_MASK,
      nested,
      data,
      ...(nested ? { children: parseAttrs(data) } : {}),
    });
    offset += (len + 3) & ~3;
  }
  return attrs;
}

export function parseGenl(buf: Buffer): GenlMessage {
  const len = buf.readUInt32LE(0);
  if (len !== buf.length) throw new Error(`nlmsg_len ${len} but ${buf.length} bytes`);
  return {
    type: buf.readUInt16LE(4),
    flags: buf.readUInt16LE(6),
    seq: buf.readUInt32LE(8),
    pid: buf.readUInt32LE(12),
    cmd: buf.readUInt8(16),
    version: buf.readUInt8(17),
    attrs: parseAttrs(buf.subarray(20)),
  };
}

/** A readable form of an attribute tree: { "1": "0a000001", "2[n]": { ... } }. */
export function attrTree(attrs: readonly NlAttr[]): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const a of attrs)
    tree[a.nested ? `${a.type}[n]` : String(a.type)] = a.children
      ? attrTree(a.children)
      : a.data.toString('hex');
  return tree;
}

function serializeAttrs(attrs: readonly NlAttr[]): Buffer {
  return Buffer.concat(
    attrs.map((a) => {
      const payload = a.children ? serializeAttrs(a.children) : a.data;
      const header = Buffer.alloc(4);
      header.writeUInt16LE(4 + payload.length, 0);
      header.writeUInt16LE(a.type | (a.nested ? NLA_F_NESTED : 0), 2);
      return Buffer.concat([header, payload, Buffer.alloc((4 - (payload.length % 4)) % 4)]);
    }),
  );
}

/** The inverse of parseGenl, for building messages in tests. */
export function serializeGenl(message: GenlMessage): Buffer {
  const attrs = serializeAttrs(message.attrs);
  const header = Buffer.alloc(20);
  header.writeUInt32LE(20 + attrs.length, 0);
  header.writeUInt16LE(message.type, 4);
  header.writeUInt16LE(message.flags, 6);
  header.writeUInt32LE(message.seq, 8);
  header.writeUInt32LE(message.pid, 12);
  header.writeUInt8(message.cmd, 16);
  header.writeUInt8(message.version, 17);
  return Buffer.concat([header, attrs]);
}

export function u32Attr(type: number, value: number): NlAttr {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value, 0);
  return { type, nested: false, data };
}
