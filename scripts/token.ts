/**
 * `npm run token -- --user NAME [--scope "a b"] [--tenant T] [--ttl SECONDS] [--port GATEWAY_PORT]`:
 * prints a bearer token from the local development issuer that `npm start` runs (found through the state
 * file it writes under .wrangler/dev-idp/). The token goes to stdout alone, so it can be captured; a
 * warning on stderr says when the gateway would refuse it (a user Superset does not know, or inactive):
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
  const problem = await callerProblem(port, result.access_token)
  if (problem !== undefined) process.stderr.write(`[token] warning: ${problem}\n`)
}

/**
 * Whether the gateway accepts the token's user: a token for a name Superset does not know (or an
 * inactive user) is signed all the same, but every call with it would answer 403, so say so.
 */
async function callerProblem(port: number, token: string): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/tools/health_check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"request": {}}',
      signal: AbortSignal.timeout(5_000),
    })
    if (response.ok) return undefined
    const body = (await response.json().catch(() => ({}))) as { error?: string }
    return `the gateway on port ${port} refuses this token (${response.status}): ${body.error ?? 'no reason given'}`
  } catch {
    return `the gateway on port ${port} did not answer, so the token's user could not be checked`
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[token] ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
