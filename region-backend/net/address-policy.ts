import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses an outbound request (audio_url, webhook_url) may reach. Only public
 * unicast addresses: private, loopback, link-local (incl. cloud metadata 169.254.169.254),
 * carrier-grade NAT, unique-local, multicast, reserved, unspecified, and IPv6 forms that embed
 * an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) are refused. IPv4-mapped IPv6 is judged
 * as the IPv4 address it carries.
 */
export interface AddressVerdict {
  allowed: boolean;
  /** The address as checked (IPv4-mapped IPv6 unwrapped to IPv4). */
  address: string;
  /** ipaddr.js range name, e.g. 'unicast', 'loopback', 'private', 'linkLocal'. */
  range: string;
}

export function checkAddress(address: string): AddressVerdict {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // Zone ids (fe80::1%eth0) say nothing about the range; the address part decides.
  const withoutZone = bare.split('%')[0]!;
  if (!ipaddr.isValid(withoutZone)) return { allowed: false, address, range: 'invalid' };
  const parsed = ipaddr.process(withoutZone);
  const range = parsed.range();
  return { allowed: range === 'unicast', address: parsed.toString(), range };
}

/** True when `host` (a URL hostname, IPv6 possibly in brackets) is an IP literal. */
export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.isValid(bare.split('%')[0]!);
}
