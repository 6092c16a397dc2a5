// ipvsadm sorts services and destinations with glibc's qsort, which (glibc 2.36, Debian 12) is a
// top-down merge sort, and with comparators that subtract unsigned 32-bit values and read the
// difference as a signed int. For addresses more than 2^31 apart that difference wraps (10.0.0.1
// sorts after 192.168.0.1), and the order is then not even transitive: reproducing the listing
// byte for byte needs the same comparator and the same algorithm on the same kernel order.
import type { Destination, Service } from '../../model/types.js';

/** The 32-bit words of an address in network order: one for IPv4, four for IPv6. */
export function addressWords(address: string): number[] {
  if (!address.includes(':'))
    return [address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0)];
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = addressWords(v4[1])[0] ?? 0;
    text = `${text.slice(0, -v4[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [
    ...left,
    ...Array<string>(8 - left.length - right.length).fill('0'),
    ...right,
  ].map((g) => parseInt(g, 16));
  return [0, 2, 4, 6].map((i) => (groups[i] ?? 0) * 0x10000 + (groups[i + 1] ?? 0));
}

/** (a - b) computed in unsigned 32 bits and read as a C int. */
function wrappedDiff(a: number, b: number): number {
  return (a - b) | 0;
}

function addressDiff(family: string, a: string, b: string): number {
  const wa = addressWords(a);
  const wb = addressWords(b);
  const count = family === 'ipv6' ? 4 : 1;
  let r = 0;
  for (let i = 0; r === 0 && i < count; i++) r = wrappedDiff(wa[i] ?? 0, wb[i] ?? 0);
  return r;
}

const AF = { ipv4: 2, ipv6: 10 } as const;
const PROTO = { tcp: 6, udp: 17, sctp: 132 } as const;

/** ipvs_cmp_services. */
export function compareServices(s1: Service, s2: Service): number {
  let r = wrappedDiff(s1.fwmark ?? 0, s2.fwmark ?? 0);
  if (r !== 0) return r;
  r = AF[s1.family] - AF[s2.family];
  if (r !== 0) return r;
  r =
    (s1.protocol ? PROTO[s1.protocol] : PROTO.tcp) - (s2.protocol ? PROTO[s2.protocol] : PROTO.tcp);
  if (r !== 0) return r;
  r = addressDiff(s1.family, s1.address ?? '0.0.0.0', s2.address ?? '0.0.0.0');
  if (r !== 0) return r;
  return (s1.port ?? 0) - (s2.port ?? 0);
}

/** ipvs_cmp_dests. */
export function compareDestinations(d1: Destination, d2: Destination): number {
  const r = addressDiff(d1.family, d1.address, d2.address);
  if (r !== 0) return r;
  return d1.port - d2.port;
}

/** glibc's msort: split at n/2, sort both halves, merge taking the left element on ties. */
export function glibcSort<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  if (items.length <= 1) return [...items];
  const half = Math.floor(items.length / 2);
  const left = glibcSort(items.slice(0, half), compare);
  const right = glibcSort(items.slice(half), compare);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const a = left[i] as T;
    const b = right[j] as T;
    if (compare(a, b) <= 0) {
      out.push(a);
      i++;
    } else {
      out.push(b);
      j++;
    }
  }
  return out.concat(left.slice(i), right.slice(j));
}
