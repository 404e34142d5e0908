// Types `exports` and `env` from "cloudflare:workers" in the tests: the main module is the gateway.
import type { Env as GatewayEnv } from '../src/env'
import type * as GatewayModule from '../src/index'

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof GatewayModule
      durableNamespaces: 'RateLimiter'
    }
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the gateway's bindings into Cloudflare.Env
    interface Env extends GatewayEnv {}
  }
}
