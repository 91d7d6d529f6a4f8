import { describe, expect, it } from 'vitest';
import { checkAddress } from '../../region-backend/net/address-policy.ts';
import { vetResolved } from '../../region-backend/net/guarded-lookup.ts';
import { HostAllowList } from '../../region-backend/net/host-allow-list.ts';
import { OutboundRefusedError } from '../../region-backend/net/outbound-errors.ts';
import { SafeFetcher } from '../../region-backend/net/safe-fetcher.ts';

/**
 * SSRF rules on addresses, decided without any connection: literal addresses, resolver
 * output (as dns.lookup would hand it), and URLs as clients send them.
 */
describe('checkAddress', () => {
  const refused: Array<[string, string]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'], // AWS/GCP/Azure metadata
    ['100.100.100.200', 'carrierGradeNat'], // Alibaba metadata
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fd00:ec2::254', 'uniqueLocal'], // AWS IPv6 metadata
    ['fc00::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    // IPv4-mapped IPv6 is judged as the IPv4 address it carries.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['::ffff:10.0.0.1', 'private'],
    ['[::ffff:192.168.0.1]', 'private'],
    // IPv6 forms that route to an embedded IPv4 address.
    ['64:ff9b::a9fe:a9fe', 'rfc6052'], // NAT64 of 169.254.169.254
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['not-an-address', 'invalid'],
  ];
  for (const [address, range] of refused) {
    it(`refuses ${address} (${range})`, () => {
      const v = checkAddress(address);
      expect(v.allowed).toBe(false);
      expect(v.range).toBe(range);
    });
  }

  for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    it(`allows public ${address}`, () => {
      expect(checkAddress(address)).toMatchObject({ allowed: true, range: 'unicast' });
    });
  }

  it('unwraps IPv4-mapped IPv6 to the IPv4 address it reports', () => {
    expect(checkAddress('::ffff:7f00:1').address).toBe('127.0.0.1');
  });
});

describe('vetResolved (resolver output, no connection)', () => {
  it('passes a host whose every address is public', () => {
    const out = vetResolved('example.test', [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    expect(out).toHaveLength(2);
  });

  it('refuses a host if any address is not public (DNS answering public + private)', () => {
    expect(() =>
      vetResolved('rebind.test', [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ]),
    ).toThrow(/10\.0\.0\.5 \(private\)/);
  });

  it('refuses metadata and IPv4-mapped loopback in resolver answers', () => {
    expect(() => vetResolved('meta.test', [{ address: '169.254.169.254', family: 4 }])).toThrow(
      OutboundRefusedError,
    );
    expect(() => vetResolved('mapped.test', [{ address: '::ffff:127.0.0.1', family: 6 }])).toThrow(
      /127\.0\.0\.1 \(loopback\)/,
    );
  });

  it('refuses a host that resolved to nothing', () => {
    expect(() => vetResolved('empty.test', [])).toThrow(OutboundRefusedError);
  });
});

describe('SafeFetcher.vet (URL checks before any connection)', () => {
  const fetcher = new SafeFetcher({
    allowList: new HostAllowList('127.0.0.1:8099, dev.internal'),
    maxBytes: 1024,
    timeoutMs: 1000,
  });

  const refusedUrls = [
    'http://127.0.0.1/a.wav',
    'http://127.0.0.1:8100/a.wav', // listed host, other port
    'http://2130706433/a.wav', // 127.0.0.1 as one number
    'http://0x7f.1/a.wav',
    'http://127.1/a.wav',
    'http://[::1]/a.wav',
    'http://[::ffff:127.0.0.1]/a.wav',
    'http://[::ffff:a9fe:a9fe]/latest/meta-data',
    'http://169.254.169.254/latest/meta-data',
    'http://localhost:8080/a.wav',
    'http://api.localhost/a.wav',
    'file:///etc/passwd',
    'ftp://example.com/a.wav',
    'gopher://example.com/',
    'not a url',
  ];
  for (const url of refusedUrls) {
    it(`refuses ${url}`, () => {
      expect(() => fetcher.vet(url)).toThrow(OutboundRefusedError);
    });
  }

  it('lets allow-listed hosts (and host:port) through, and public names to the DNS check', () => {
    expect(fetcher.vet('http://127.0.0.1:8099/a.wav').port).toBe('8099');
    expect(fetcher.vet('https://dev.internal/a.wav').hostname).toBe('dev.internal');
    expect(fetcher.vet('https://audio.example.com/a.wav').hostname).toBe('audio.example.com');
  });
});
