// /proc/net/ip_vs_conn as ip_vs_conn_seq_show() prints it.
import { describe, expect, it } from 'vitest';
import { parseConnections } from '../../lib/kernel/connections.js';

const header = 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n';

describe('parseConnections', () => {
  it('reads IPv4 entries', () => {
    const text =
      header +
      'TCP C0A80864 D3B0 C0A808C8 0050 C0A80814 0050 ESTABLISHED     895\n' +
      'UDP C0A80864 8235 C0A808C8 0035 C0A8081E 0035 UDP             299\n';
    expect(parseConnections(text)).toEqual([
      {
        protocol: 'tcp',
        client: { address: '192.168.8.100', port: 54192 },
        virtual: { address: '192.168.8.200', port: 80 },
        destination: { address: '192.168.8.20', port: 80 },
        state: 'ESTABLISHED',
        expires: 895,
      },
      {
        protocol: 'udp',
        client: { address: '192.168.8.100', port: 33333 },
        virtual: { address: '192.168.8.200', port: 53 },
        destination: { address: '192.168.8.30', port: 53 },
        state: 'UDP',
        expires: 299,
      },
    ]);
  });

  it('reads IPv6 entries printed in full and compresses them', () => {
    const text =
      header +
      'TCP 2001:0db8:0000:0000:0000:0000:0000:0064 C350 2001:0db8:0000:0000:0000:0000:0000:00c8 01BB 2001:0db8:0000:0000:0000:0000:0000:0014 01BB SYN_RECV         59\n';
    expect(parseConnections(text)[0]).toMatchObject({
      client: { address: '2001:db8::64', port: 50000 },
      virtual: { address: '2001:db8::c8', port: 443 },
      destination: { address: '2001:db8::14', port: 443 },
      state: 'SYN_RECV',
    });
  });

  it('keeps persistence engine data', () => {
    const text =
      header +
      'UDP C0A80864 13C4 C0A808C8 13C4 C0A80814 13C4 UDP             179 sip 4a8ee2b0@10.0.0.1\n';
    expect(parseConnections(text)[0]).toMatchObject({
      persistenceEngine: 'sip',
      persistenceData: '4a8ee2b0@10.0.0.1',
    });
  });

  it('returns nothing for an empty table and rejects garbage', () => {
    expect(parseConnections(header)).toEqual([]);
    expect(() => parseConnections('garbage\n')).toThrow(
      /unexpected \/proc\/net\/ip_vs_conn header/,
    );
    expect(() => parseConnections(header + 'TCP C0A80864 D3B0\n')).toThrow(/unreadable/);
  });
});
