/**
 * What the generated bindings (worker-configuration.d.ts, `npm run types`) cannot know, merged into its
 * global `Env`: optional bindings an operator adds in their own wrangler configuration, and the variables and
 * secrets set outside wrangler.toml (`.dev.vars`, `wrangler secret put`). src/config parses every variable
 * once with zod; nothing reads them from `env` directly.
 */
interface GatewayBindings {
  /** Workers Analytics Engine dataset: one data point per tool call, when configured. */
  ANALYTICS?: AnalyticsEngineDataset
  [variable: string]: unknown
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges into the generated interfaces
interface Env extends GatewayBindings {}
declare namespace Cloudflare {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- what `cloudflare:workers` exports
  interface Env extends GatewayBindings {}
}
