// What the edge tests' global setup provides to workerd (see vitest.config.ts). Its own file so
// that both tsconfigs see it: the root one type-checks vitest.config.ts, which injects these.
declare module 'vitest' {
  export interface ProvidedContext {
    upstashUrl: string;
    upstashToken: string;
    internalSecret: string;
    /** Region name -> base URL of its stub server. */
    stubRegions: Record<string, string>;
    /** A URL where nothing listens (connection refused). */
    deadRegionUrl: string;
    /** REST URL of a second global store that tests can freeze (SIGSTOP its redis-server). */
    freezableUpstashUrl: string;
    /** `POST /freeze` and `POST /thaw` for that store. */
    storeControlUrl: string;
  }
}

export {};
