/**
 * The unauthenticated budget from the attacker's side, through the whole Worker with authentication on
 * and real tokens from the test identity provider: a flood of missing or forged tokens from one address
 * is cut off with 429, while valid tokens from that address are never refused by it (they are limited per
 * user), and no header other than an edge-set CF-Connecting-IP picks the bucket.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { BASE } from '../helpers/mcp'
import {
  authEnv,
  bearer,
  claimsFor,
  foreignKeyToken,
  gatewayFetch,
  tamperedToken,
  TestRealm,
  unsignedToken,
} from '../helpers/tokens'

/** Cloudflare's edge attaches `request.cf` to every request it delivers. */
const EDGE_CF = { colo: 'AMS', country: 'NL', asn: 64_496 }
const BUDGET = 5

let realm: TestRealm
let send: (ip: string, authorization?: string, headers?: Record<string, string>) => Promise<Response>

beforeAll(() => {
  realm = TestRealm.create('budget')
  // Deployed (production), so an edge-set address is believed; a small budget for unauthenticated requests.
  const fetchGateway = gatewayFetch(
    authEnv(realm, { MCP_ENVIRONMENT: 'production', MCP_IP_RATE_LIMIT: `${BUDGET} per minute` }),
  )
  send = (ip, authorization, headers = {}) =>
    fetchGateway(`${BASE}/tools/list_dashboards`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cf-connecting-ip': ip,
        ...(authorization === undefined ? {} : { authorization }),
        ...headers,
      },
      body: JSON.stringify({ request: { page_size: 1 } }),
      cf: EDGE_CF,
    } as RequestInit)
})

async function statuses(requests: (() => Promise<Response>)[]): Promise<number[]> {
  const seen: number[] = []
  for (const request of requests) seen.push((await request()).status)
  return seen
}

const times = <T>(n: number, make: (index: number) => T): T[] =>
  Array.from({ length: n }, (_, index) => make(index))

async function expectBudgetRefusal(response: Response): Promise<void> {
  expect(response.status).toBe(429)
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(await response.json()).toMatchObject({
    error_type: 'RateLimitExceeded',
    details: { scope: 'client_ip', limit: `${BUDGET} per minute` },
  })
}

describe('a flood of requests without a valid token', () => {
  it('does not cause 429 for a valid token from the same client, whether new or already known', async () => {
    const ip = '203.0.113.10'
    // The flood spends the address's budget: 401s, then 429.
    expect(await statuses(times(BUDGET, () => () => send(ip)))).toEqual(Array(BUDGET).fill(401))
    await expectBudgetRefusal(await send(ip))
    await expectBudgetRefusal(await send(ip, 'Bearer not-a-jwt'))

    // A token the gateway has never seen, sent while the budget is spent: verified, served.
    const bob = await realm.mint('bob')
    const first = await send(ip, bearer(bob))
    expect(first.status).toBe(200)
    expect(first.headers.get('ratelimit-policy')).toContain('"user-minute"')
    // Known now; it is served again and again, limited per user only.
    expect(await statuses(times(12, () => () => send(ip, bearer(bob))))).toEqual(Array(12).fill(200))
    // Another user behind the same address, too.
    expect((await send(ip, bearer(await realm.mint('carol')))).status).toBe(200)

    // Meanwhile the flood is still refused.
    await expectBudgetRefusal(await send(ip))
  })

  it('is not spent by valid tokens: after many authenticated calls the whole budget is left', async () => {
    const ip = '203.0.113.11'
    const dave = await realm.mint('dave')
    expect(await statuses(times(3 * BUDGET, () => () => send(ip, bearer(dave))))).toEqual(
      Array(3 * BUDGET).fill(200),
    )
    expect(await statuses(times(BUDGET + 1, () => () => send(ip)))).toEqual([...Array(BUDGET).fill(401), 429])
  })
})

describe('forged tokens', () => {
  it('are refused with 401 while the budget lasts, then with 429, and a valid token still passes', async () => {
    const ip = '203.0.113.12'
    const good = await realm.mint('bob')
    const now = Math.floor(Date.now() / 1000)
    const forged = [
      unsignedToken(claimsFor(realm, 'admin')),
      tamperedToken(good, { preferred_username: 'admin' }),
      await foreignKeyToken(claimsFor(realm, 'admin'), 'attacker-kid'),
      await realm.mint('admin', { claims: { exp: now - 3_600 } }),
      await realm.mint('admin', { claims: { aud: 'https://elsewhere.example' } }),
      'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
    ]
    const seen = await statuses(forged.map((token) => () => send(ip, bearer(token))))
    expect(seen).toEqual([...Array(BUDGET).fill(401), 429])
    for (const token of forged) await expectBudgetRefusal(await send(ip, bearer(token)))
    expect((await send(ip, bearer(good))).status).toBe(200)
    await expectBudgetRefusal(await send(ip, bearer(forged[1]!)))
  })

  it('cost a bounded amount of work once refused: unknown key ids do not fetch the key set per request', async () => {
    const ip = '203.0.113.13'
    // The realm's keys are known (one fetch), the budget is spent.
    expect((await send(ip, bearer(await realm.mint('bob')))).status).toBe(200)
    expect(await statuses(times(BUDGET, () => () => send(ip)))).toEqual(Array(BUDGET).fill(401))
    const before = await realm.jwksFetches()
    for (let i = 0; i < 20; i++) {
      const token = await foreignKeyToken(claimsFor(realm, 'admin'), `unknown-kid-${i}`)
      await expectBudgetRefusal(await send(ip, bearer(token)))
    }
    // jose refetches a key set for an unknown kid at most once per 30 s cooldown.
    expect((await realm.jwksFetches()) - before).toBeLessThanOrEqual(1)
  })
})

describe('the client address', () => {
  it('is not changed by a spoofed header: X-Forwarded-For, X-Real-IP, True-Client-IP, Forwarded', async () => {
    const ip = '203.0.113.14'
    const spoofed: Record<string, string>[] = times(BUDGET + 1, (index) => ({
      'x-forwarded-for': `198.51.100.${index}`,
      'x-real-ip': `198.51.100.${index}`,
      'true-client-ip': `198.51.100.${index}`,
      forwarded: `for=198.51.100.${index}`,
    }))
    const seen = await statuses(spoofed.map((headers) => () => send(ip, undefined, headers)))
    expect(seen).toEqual([...Array(BUDGET).fill(401), 429])
    // The spoofed addresses were never charged: from the edge, one of them has its whole budget.
    expect((await send('198.51.100.0')).status).toBe(401)
  })
})
