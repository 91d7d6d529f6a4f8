import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { checkAddress } from './address-policy.ts';
import { OutboundRefusedError } from './outbound-errors.ts';

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Resolver output in the shape of `dns.lookup(host, {all: true})`. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

/**
 * Checks every address a hostname resolves to; refuses the host if any one is not public
 * (an attacker's DNS may answer a public and a private address and let the client pick).
 * Pure over the resolver's output, so it is unit-tested without any connection.
 */
export function vetResolved(
  hostname: string,
  addresses: readonly LookupAddress[],
): LookupAddress[] {
  if (addresses.length === 0) throw new OutboundRefusedError(`${hostname} resolved to no address`);
  for (const a of addresses) {
    const v = checkAddress(a.address);
    if (!v.allowed) {
      throw new OutboundRefusedError(
        `${hostname} resolves to ${v.address} (${v.range}), which outbound requests may not reach`,
      );
    }
  }
  return [...addresses];
}

/**
 * A `lookup` for net/tls connect options (undici's `connect.lookup`): resolves, vets, and hands
 * the socket only vetted addresses, so the check and the connection use the same answer (no
 * DNS-rebinding gap between them).
 */
export function guardedLookup(resolve: Resolve = systemResolve) {
  return (hostname: string, options: { all?: boolean } | number, callback: LookupCallback) => {
    const all = typeof options === 'object' && options?.all === true;
    resolve(hostname)
      .then((addresses) => {
        const ok = vetResolved(hostname, addresses);
        if (all) callback(null, ok);
        else callback(null, ok[0]!.address, ok[0]!.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, all ? [] : '', 0));
  };
}
