import ipaddr from 'ipaddr.js';

/**
 * Which addresses an outbound call may reach. ipaddr.js names the range of an address (after
 * turning IPv4-mapped and IPv4-compatible IPv6 forms into the IPv4 address they carry); only
 * global unicast is reachable by default. Loopback, RFC 1918 and unique-local (fc00::/7),
 * link-local (169.254/16 with the cloud metadata address 169.254.169.254, fe80::/10),
 * unspecified, carrier-grade NAT (100.64/10), multicast, broadcast, reserved and documentation
 * ranges, NAT64 / 6to4 / Teredo forms that could carry such an IPv4 address: all refused unless
 * the admin's allow-list (`OPSLOOM_OUTBOUND_ALLOW`) names the address, its network or the host.
 */

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface AllowList {
  /** Networks (a single address is a /32 or /128). */
  networks: Cidr[];
  /** Host names allowed whatever they resolve to, lowercase; `*.corp.example` allows every name under it. */
  names: string[];
  /** The entries as written, for messages. */
  entries: string[];
}

export const EMPTY_ALLOW_LIST: AllowList = { networks: [], names: [], entries: [] };

export class AllowListError extends Error {}

const HOST_NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/** Comma-separated CIDRs, addresses and host names; a wrong entry throws, naming it. */
export function parseAllowList(raw: string | undefined): AllowList {
  const list: AllowList = { networks: [], names: [], entries: [] };
  for (const part of (raw ?? '').split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    list.entries.push(entry);
    const bare = entry.replace(/^\[(.*)\](\/\d+)?$/, '$1$2');
    if (bare.includes('/')) {
      try {
        list.networks.push(ipaddr.parseCIDR(bare));
      } catch {
        throw new AllowListError(`"${entry}" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
      }
    } else if (ipaddr.isValid(bare)) {
      const address = ipaddr.process(bare);
      list.networks.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[\d.]+$/.test(bare) || bare.includes(':')) {
      throw new AllowListError(`"${entry}" is not a valid IP address`);
    } else if (HOST_NAME.test(bare.toLowerCase().replace(/\.$/, ''))) {
      list.names.push(bare.toLowerCase().replace(/\.$/, ''));
    } else {
      throw new AllowListError(`"${entry}" is neither a CIDR, an IP address nor a host name`);
    }
  }
  return list;
}

/** A host as URLs write it, without IPv6 brackets or a trailing dot, lowercase. */
export function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

export function isIpAddress(host: string): boolean {
  return ipaddr.isValid(host);
}

/** The range ipaddr.js puts the address in (`unicast` for global addresses); `invalid` if it is none. */
export function rangeOf(address: string): string {
  if (!ipaddr.isValid(address)) return 'invalid';
  return ipaddr.process(address).range();
}

/** An address as messages show it: with the IPv4 address an IPv6 form carries (`::ffff:7f00:1 (127.0.0.1)`). */
export function describeAddress(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const carried = ipaddr.process(address).toString();
  return carried === ipaddr.parse(address).toString() ? address : `${address} (${carried})`;
}

export function allowsHostName(list: AllowList, host: string): boolean {
  const h = bareHost(host);
  return list.names.some((n) => (n.startsWith('*.') ? h.endsWith(n.slice(1)) : h === n));
}

export function allowsAddress(list: AllowList, address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const a = ipaddr.process(address);
  return list.networks.some(([net, bits]) => net.kind() === a.kind() && a.match([net, bits] as never));
}

/** Why an address may not be called (its range), or null when it may: global unicast, or allow-listed. */
export function refusedRange(list: AllowList, address: string): string | null {
  const range = rangeOf(address);
  if (range === 'unicast' || allowsAddress(list, address)) return null;
  return range;
}
