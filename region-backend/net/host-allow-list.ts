/**
 * Hosts an outbound request may reach even though they resolve to private or loopback
 * addresses: for development only (FA_FETCH_ALLOW_HOSTS, comma-separated `host` or
 * `host:port`; IPv6 as `[::1]` or `[::1]:8080`). A redirect is judged afresh: an allowed host
 * redirecting elsewhere does not carry its permission along.
 */
export class HostAllowList {
  private readonly entries: Set<string>;

  constructor(spec: string | undefined) {
    this.entries = new Set(
      (spec ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    );
  }

  get size(): number {
    return this.entries.size;
  }

  /** True when the URL's host, or host:port, is listed. */
  allows(url: URL): boolean {
    if (this.entries.size === 0) return false;
    const host = url.hostname.toLowerCase();
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return this.entries.has(host) || this.entries.has(`${host}:${port}`);
  }
}
