// Types `exports` and `env` from "cloudflare:workers" in the tests: the main module is the gateway.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../src/index')
    durableNamespaces: 'RateLimiter'
  }
  interface Env extends import('../src/env').Env {}
}
