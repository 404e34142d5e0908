/** What the global setup hands to the Worker under test (see vitest.config.ts). */
export interface DatabaseStack {
  /** Superset metadata database, as the Worker's DATABASE_URL. */
  databaseUrl: string
  /** Node-side URL of the analytics demo, as its superuser (identical for PGlite and the local server). */
  analyticsUrl: string
  /** How the gateway reaches it without privileges: MCP_ANALYTICS_DATABASE_URLS and MCP_ANALYTICS_ROLES. */
  analyticsAccess: { MCP_ANALYTICS_DATABASE_URLS: string; MCP_ANALYTICS_ROLES: string }
  /** DATABASE_WS_PROXY for the Neon driver inside workerd. */
  wsProxy: string
  /** `pglite` or `postgres`, for test names and skips that depend on the engine. */
  engine: 'pglite' | 'postgres'
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: DatabaseStack
    /** Base URL of the development identity provider (scripts/lib/dev-idp.ts) with test controls. */
    idp: string
    /** Base URL of the Sentry ingest stand-in (test/setup/sentry-stand-in.ts). */
    sentry: string
  }
}
