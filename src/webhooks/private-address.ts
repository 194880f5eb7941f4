import { isIPv4, isIPv6 } from 'node:net';

/*
 * Addresses a webhook must not reach: loopback, private, link-local, carrier-grade NAT,
 * unique-local, multicast, unspecified and documentation ranges, in IPv4 and IPv6 (including
 * IPv4-mapped IPv6). Refusing them keeps the service from being used to probe its own network.
 */
const V4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

function inV4Range(ip: string, [base, bits]: [string, number]): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (v4ToInt(ip) & mask) === (v4ToInt(base) & mask);
}

/** Expands an IPv6 address to 8 groups of 16 bits. */
function v6Groups(ip: string): number[] {
  let address = ip.toLowerCase();
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  const tailV4 = address.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (tailV4) {
    const n = v4ToInt(tailV4[1]);
    address =
      address.slice(0, -tailV4[1].length) +
      `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = address.split('::');
  const parse = (part: string | undefined): number[] =>
    part ? part.split(':').map((g) => parseInt(g, 16)) : [];
  const headGroups = parse(head);
  const tailGroups = parse(tail);
  const missing = address.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
  return [...headGroups, ...Array<number>(missing).fill(0), ...tailGroups];
}

export function isBlockedAddress(ip: string): boolean {
  if (isIPv4(ip)) return V4_BLOCKED.some((range) => inV4Range(ip, range));
  if (!isIPv6(ip)) return true;
  const g = v6Groups(ip);
  const allZeroUntil = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (allZeroUntil(7) && (g[7] === 0 || g[7] === 1)) return true; // :: and ::1
  if (allZeroUntil(5) && g[5] === 0xffff) {
    // IPv4-mapped: judge the IPv4 address inside
    return isBlockedAddress(`${g[6] >> 8}.${g[6] & 0xff}.${g[7] >> 8}.${g[7] & 0xff}`);
  }
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0] & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (g[0] === 0x64 && g[1] === 0xff9b) return true; // NAT64 can reach private IPv4
  return false;
}
