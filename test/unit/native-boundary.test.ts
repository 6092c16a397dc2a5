// The addon boundary itself: failures carry a stable step code (never told apart by text), the
// kernel's extended-ack offset reaches IpvsError, one timeout cap holds on both sides, and
// rtnetlink records are distrusted as IPVS ones are. (The encoders' bytes: golden tests.)
import { constants as os } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { IpvsError } from '../../lib/core/errors.js';
import { loadNative } from '../../lib/kernel/binding.js';

const native = loadNative();
import { constants } from '../../lib/kernel/constants.js';
import { decodeReply, encodeRequest } from '../../lib/kernel/codec.js';
import { nativeFailure } from '../../lib/kernel/native-error.js';
import { packNetRequest, packNetRequests } from '../../lib/kernel/net-request-packer.js';
import type { NativeRequest } from '../../lib/kernel/native.js';
import { NetConfigError, NetNamespace } from '../../lib/host/net-config.js';

const FAMILY_ID = 32;
const MISSING_NETNS = '/run/netns/ipvs-native-no-such-namespace';

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('failures carry the step that failed', () => {
  it('open: a missing namespace file is netns-open, whatever the text says', async () => {
    const error = nativeFailure(await rejectionOf(native.open(MISSING_NETNS)));
    expect(error).toMatchObject({ errno: os.errno.ENOENT, step: 'netns-open' });
  });

  it('Ipvs.open picks the namespace as the target from the step', async () => {
    const error = await rejectionOf(Ipvs.open({ netns: MISSING_NETNS }));
    expect(error).toBeInstanceOf(IpvsError);
    expect(error).toMatchObject({
      code: 'ENOENT',
      op: 'open',
      target: `network namespace ${MISSING_NETNS}`,
    });
  });

  it('netConfig: NetConfigError keeps the step and its message as before', async () => {
    const error = await rejectionOf(new NetNamespace(MISSING_NETNS).links());
    expect(error).toBeInstanceOf(NetConfigError);
    expect(error).toMatchObject({ errno: os.errno.ENOENT, step: 'netns-open' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^enter the namespace in network namespace ${MISSING_NETNS} failed: .*\\[ENOENT\\]$`,
      ),
    );
  });

  it('anything without errno and step is not a native failure', () => {
    expect(nativeFailure(new TypeError('bad'))).toBeUndefined();
    expect(nativeFailure(Object.assign(new Error('x'), { errno: 2 }))).toBeUndefined();
    expect(nativeFailure('netns-open')).toBeUndefined();
  });
});

/**
 * An NLMSG_ERROR as netlink_ack() builds it with NETLINK_CAP_ACK and NETLINK_EXT_ACK: the error,
 * the request's header only (NLM_F_CAPPED), then NLMSGERR_ATTR_MSG and, when the kernel blames
 * an attribute, NLMSGERR_ATTR_OFFS (NLM_F_ACK_TLVS).
 */
function extAck(request: Buffer, errno: number, message: string, offset?: number): Buffer {
  const tlv = (type: number, payload: Buffer) => {
    const padded = Buffer.alloc(4 + ((payload.length + 3) & ~3));
    padded.writeUInt16LE(4 + payload.length, 0);
    padded.writeUInt16LE(type, 2);
    payload.copy(padded, 4);
    return padded;
  };
  const u32 = (value: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    return b;
  };
  const tlvs = [tlv(1, Buffer.from(`${message}\0`))];
  if (offset !== undefined) tlvs.push(tlv(2, u32(offset)));
  const body = Buffer.concat([u32(-errno >>> 0), request.subarray(0, 16), ...tlvs]);
  const header = Buffer.alloc(16);
  header.writeUInt32LE(16 + body.length, 0);
  header.writeUInt16LE(2, 4); // NLMSG_ERROR
  header.writeUInt16LE(0x100 | 0x200, 6); // NLM_F_CAPPED | NLM_F_ACK_TLVS
  header.writeUInt32LE(request.readUInt32LE(8), 8);
  return Buffer.concat([header, body]);
}

/** The byte offset, within a generic netlink message, of attribute `inner` inside nest `outer`. */
function nestedAttrOffset(message: Buffer, outer: number, inner: number): number {
  const find = (from: number, end: number, type: number): number => {
    for (let at = from; at + 4 <= end; at += (message.readUInt16LE(at) + 3) & ~3) {
      if ((message.readUInt16LE(at + 2) & 0x3fff) === type) return at;
    }
    throw new Error(`no attribute ${type}`);
  };
  const nest = find(20, message.length, outer);
  return find(nest + 4, nest + message.readUInt16LE(nest), inner);
}

describe("the kernel's extended-ack offset", () => {
  // On Debian's 6.1 an IPVS refusal carries NLMSGERR_ATTR_OFFS only when an attribute fails its
  // policy: a top-level one (genetlink validates them against ip_vs_cmd_policy, and so does
  // ip_vs_genl_dump_dests with cb->extack) or one inside the daemon nest (ip_vs_genl_set_daemon
  // parses it with info->extack); the service and destination
  // nests are parsed without extack, and the commands' own refusals (EEXIST, ESRCH, ...) name no
  // attribute. Our encoder never writes such an attribute, so this is the ack the kernel would
  // send for a daemon interface name longer than IP_VS_IFNAME_MAXLEN - 1 allows.
  const start: NativeRequest = {
    command: constants.commands.newDaemon,
    daemon: { state: constants.IP_VS_STATE_MASTER, mcastIfn: 'eth0', syncId: 0 },
  };
  const request = encodeRequest(start, FAMILY_ID, 7);
  const offset = nestedAttrOffset(request, 3 /* IPVS_CMD_ATTR_DAEMON */, 2 /* MCAST_IFN */);

  it('is decoded with the errno and message of the refusal', () => {
    const message = 'Attribute failed policy validation';
    expect(offset).toBeGreaterThan(24);
    expect(decodeReply(start, extAck(request, os.errno.EINVAL, message, offset))).toEqual({
      error: os.errno.EINVAL,
      message,
      offset,
    });
  });

  it('is absent when the kernel names no attribute, and on success', () => {
    expect(decodeReply(start, extAck(request, os.errno.EBUSY, 'busy'))).toEqual({
      error: os.errno.EBUSY,
      message: 'busy',
    });
    const ack = extAck(request, 0, '', 8);
    expect(decodeReply(start, ack)).toBe(0);
  });

  it('is kept on IpvsError without changing its message', () => {
    const attempt = { op: 'startDaemon', target: 'sync daemon master' };
    const plain = new IpvsError(os.errno.EINVAL, attempt, 'Attribute failed policy validation');
    const located = new IpvsError(
      os.errno.EINVAL,
      attempt,
      'Attribute failed policy validation',
      undefined,
      offset,
    );
    expect(located.offset).toBe(offset);
    expect(plain.offset).toBeUndefined();
    expect(located.message).toBe(plain.message);
  });
});

describe('one timeout cap', () => {
  it('is 24 h, exported by the addon and enforced on both sides', async () => {
    expect(constants.MAX_TIMEOUT_MS).toBe(86_400_000);
    const packed = packNetRequests([]);
    expect(() => native.netConfig('/proc/self/ns/net', packed, 0, 86_400_001)).toThrow(
      /timeoutMs must be between 1 and 86400000/,
    );
    expect(() => native.netConfig('/proc/self/ns/net', packed, 0, 0)).toThrow(RangeError);
    await expect(Ipvs.open({ timeoutMs: 86_400_001 })).rejects.toThrow(/1-86400000/);
  });
});

describe('packed rtnetlink records', () => {
  const layout = native.netRequestLayout;
  const encode = (packed: Uint8Array) => native.encodeNetRequest(packed, 1, 1);
  const address = () =>
    packNetRequest({ op: 'addAddress', ifname: 'lo', address: '192.0.2.1', prefixLength: 32 });

  it('are laid out as the addon declares, one after another', () => {
    const packed = packNetRequests([{ op: 'getLinks' }, { op: 'getRoutes', family: 10 }]);
    expect(packed.length).toBe(2 * layout.size);
    const view = new DataView(packed.buffer);
    expect(view.getUint32(layout.size + layout.op, true)).toBe(layout.ops.getRoutes);
    expect(packed[layout.size + layout.family]).toBe(10);
  });

  it('are refused by the addon when a field lies, naming the field', () => {
    const unknown = address();
    new DataView(unknown.buffer).setUint32(layout.op, 999, true);
    expect(() => encode(unknown)).toThrow(/request 0: op is unknown: 999/);

    const prefix = address();
    prefix[layout.prefixLength] = 33;
    expect(() => encode(prefix)).toThrow(/prefixLength is out of range 0-32: 33/);

    const long = address();
    long[layout.ifname] = layout.capacity.ifname + 1;
    expect(() => encode(long)).toThrow(/ifname is longer than its field/);

    const missing = address();
    missing[layout.address] = 0;
    expect(() => encode(missing)).toThrow(/address is missing/);

    expect(() => native.encodeNetRequest(address().subarray(1), 1, 1)).toThrow(RangeError);
  });

  it('are refused by the packer when the request does not fit', () => {
    expect(() => packNetRequest({ op: 'getRoutes', family: 256 })).toThrow(
      /family must be an integer 0-255/,
    );
    expect(() =>
      packNetRequest({ op: 'readSysctl', path: `net/${'x'.repeat(layout.capacity.path)}` }),
    ).toThrow(RangeError);
  });
});
