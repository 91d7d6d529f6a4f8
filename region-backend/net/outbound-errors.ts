/** An outbound request refused before any connection (SSRF rules, scheme, allow-list). */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';
}

/** An outbound request that was made but failed: status, size, time or content. */
export class OutboundFetchError extends Error {
  override name = 'OutboundFetchError';
  constructor(
    message: string,
    /** 'status' | 'too-large' | 'timeout' | 'network' | 'content' */
    readonly reason: 'status' | 'too-large' | 'timeout' | 'network' | 'content',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
