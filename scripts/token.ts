/**
 * `npm run token -- --user NAME [--scope "a b"] [--tenant T] [--ttl SECONDS] [--port GATEWAY_PORT]`:
 * prints a bearer token from the local development issuer that `npm start` runs (found through the state
 * file it writes under .wrangler/dev-idp/). The token goes to stdout alone, so it can be captured:
 *
 *   TOKEN=$(npm run --silent token -- --user bob)
 */
import { parseArgs } from 'node:util'
import { readDevIdpState } from './lib/dev-idp.ts'

const USAGE =
  'usage: npm run token -- --user NAME [--scope "a b"] [--tenant T] [--ttl SECONDS] [--port GATEWAY_PORT]'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      scope: { type: 'string' },
      tenant: { type: 'string' },
      ttl: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (values.user === undefined || values.user.trim() === '') throw new Error(`--user is required\n${USAGE}`)
  const port = Number(values.port ?? process.env.PORT ?? 8787)
  const state = await readDevIdpState(port)
  if (state === undefined) {
    throw new Error(
      `no local issuer is running for the gateway on port ${port}: start the stack with \`npm start\` ` +
        '(without MCP_JWKS_URI / MCP_JWT_PUBLIC_KEY / MCP_JWT_SECRET, and with authentication enabled), ' +
        'or pass --port',
    )
  }
  const body = {
    user: values.user,
    ...(values.scope === undefined ? {} : { scope: values.scope }),
    ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
    ...(values.ttl === undefined ? {} : { ttl: Number(values.ttl) }),
  }
  const response = await fetch(`${state.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  }).catch((err: unknown) => {
    throw new Error(
      `the local issuer at ${state.url} does not answer (${err instanceof Error ? err.message : String(err)}); is \`npm start\` still running?`,
    )
  })
  const result = (await response.json()) as { access_token?: string; error?: string }
  if (!response.ok || result.access_token === undefined) {
    throw new Error(`the local issuer refused: ${result.error ?? `HTTP ${response.status}`}`)
  }
  process.stdout.write(`${result.access_token}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`[token] ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
