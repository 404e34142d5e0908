/**
 * The JWKS key source in operation, counted at the identity provider: one fetch per isolate, the set
 * persisted in KV for other isolates, outages ridden out on cached keys, key rotation, the cooldown under a
 * flood of unknown `kid`s, and the verified-token cache.
 */
import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { jwksKvKey } from '../../src/auth'
import { authEnv, bearer, callTool, claimsFor, foreignKeyToken, kidOf, TestRealm } from '../helpers/tokens'

const JWKS_MAX_AGE_MS = 10 * 60_000
const COOLDOWN_MS = 30_000
const RETRY_AFTER_FAILURE_MS = 10_000

const realNow = Date.now.bind(Date)

// The Worker's clock (jose's cooldown and cache ages, token times) runs ahead of the real one by an offset
// that only grows: state kept across requests in the isolate never sees time go backwards.
let clockOffsetMs = 0

function advanceClock(ms: number): void {
  clockOffsetMs += ms
  vi.setSystemTime(realNow() + clockOffsetMs)
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(realNow() + clockOffsetMs)
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

async function statusWith(testEnv: Cloudflare.Env, token: string): Promise<number> {
  return (await callTool(testEnv, 'health_check', bearer(token))).status
}

describe('JWKS key source', () => {
  it('fetches the key set once, then verifies every token from memory', async () => {
    const realm = TestRealm.create('once')
    const gateway = authEnv(realm)
    for (const user of ['admin', 'bob', 'carol', 'kim', 'admin']) {
      expect(await statusWith(gateway, await realm.mint(user))).toBe(200)
    }
    expect(await realm.jwksFetches()).toBe(1)
  })

  it('persists the fetched key set in KV under a versioned key', async () => {
    const realm = TestRealm.create('persist')
    const token = await realm.mint('bob')
    expect(await statusWith(authEnv(realm), token)).toBe(200)
    const key = await jwksKvKey(realm.jwksUri)
    expect(key).toMatch(/^v1:jwks:[0-9a-f]{64}$/)
    const stored = (await env.CONFIG.get(key, 'json')) as { uat: number; jwks: { keys: { kid: string }[] } }
    expect(stored.uat).toBe(Date.now())
    expect(stored.jwks.keys.map((jwk) => jwk.kid)).toContain(kidOf(token))
  })

  it('verifies in a cold isolate from the KV copy without any fetch', async () => {
    const realm = TestRealm.create('cold')
    // A URL this isolate has never used stands for a fresh isolate; another isolate left its keys in KV.
    const jwksUri = `${realm.jwksUri}?isolate=cold`
    const persisted = { uat: Date.now(), jwks: await realm.publishedKeys() }
    await env.CONFIG.put(await jwksKvKey(jwksUri), JSON.stringify(persisted))
    await realm.takeJwksDown()
    expect(await statusWith(authEnv(realm, { MCP_JWKS_URI: jwksUri }), await realm.mint('bob'))).toBe(200)
    expect(await realm.jwksFetches()).toBe(0)
  })

  it('keeps verifying on cached keys while the JWKS endpoint is down, past their refresh age', async () => {
    const realm = TestRealm.create('outage')
    const gateway = authEnv(realm)
    expect(await statusWith(gateway, await realm.mint('admin'))).toBe(200)
    await realm.takeJwksDown()
    expect(await statusWith(gateway, await realm.mint('bob'))).toBe(200)
    expect(await realm.jwksFetches()).toBe(1)

    // Past the refresh age the set is refetched; that fails, and the known keys carry on (stale-if-error).
    advanceClock(JWKS_MAX_AGE_MS + 1_000)
    for (const user of ['bob', 'carol', 'kim', 'admin', 'alice']) {
      expect(await statusWith(gateway, await realm.mint(user))).toBe(200)
    }
    // One failed attempt, then no retries within the back-off: the outage does not multiply requests.
    expect(await realm.jwksFetches()).toBe(2)

    await realm.bringJwksUp()
    advanceClock(RETRY_AFTER_FAILURE_MS + 1_000)
    expect(await statusWith(gateway, await realm.mint('bob'))).toBe(200)
    expect(await realm.jwksFetches()).toBe(3)
  })

  it('answers 401, not 500, when the endpoint is down and no key was ever fetched', async () => {
    const realm = TestRealm.create('never')
    await realm.takeJwksDown()
    const gateway = authEnv(realm)
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await callTool(gateway, 'health_check', bearer(await realm.mint('bob')))
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
      expect(((await response.json()) as any).error_type).toBe('AuthenticationError')
    }
    // Failed fetches back off instead of hitting the identity provider on every request.
    expect(await realm.jwksFetches()).toBe(1)
  })

  it('fetches a rotated key once, and tokens signed by the previous key stay valid', async () => {
    const realm = TestRealm.create('rotation')
    const gateway = authEnv(realm)
    const beforeRotation = await realm.mint('bob')
    expect(await statusWith(gateway, beforeRotation)).toBe(200)
    const newKid = await realm.rotate()

    advanceClock(COOLDOWN_MS + 1_000)
    const afterRotation = await realm.mint('carol')
    expect(kidOf(afterRotation)).toBe(newKid)
    expect(await statusWith(gateway, afterRotation)).toBe(200)
    expect(await realm.jwksFetches()).toBe(2)
    for (const user of ['admin', 'kim', 'alice'])
      expect(await statusWith(gateway, await realm.mint(user))).toBe(200)
    expect(await statusWith(gateway, beforeRotation)).toBe(200)
    expect(await realm.jwksFetches()).toBe(2)
  })

  it('holds the cooldown under a flood of unknown kids: at most one fetch per cooldown', async () => {
    const realm = TestRealm.create('flood')
    const gateway = authEnv(realm)
    expect(await statusWith(gateway, await realm.mint('bob'))).toBe(200)
    const flood = async (): Promise<number[]> => {
      const tokens = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          foreignKeyToken(claimsFor(realm, 'admin'), `unknown-${index}`),
        ),
      )
      return Promise.all(tokens.map((token) => statusWith(gateway, token)))
    }

    expect(new Set(await flood())).toEqual(new Set([401]))
    expect(await realm.jwksFetches()).toBe(1)

    // Once the cooldown has passed, a flood arriving at once still causes a single fetch.
    advanceClock(COOLDOWN_MS + 1_000)
    expect(new Set(await flood())).toEqual(new Set([401]))
    expect(await realm.jwksFetches()).toBe(2)
    expect(new Set(await flood())).toEqual(new Set([401]))
    expect(await realm.jwksFetches()).toBe(2)
    expect(await statusWith(gateway, await realm.mint('kim'))).toBe(200)
  })
})

describe('verified-token cache', () => {
  it('verifies a token signature once and reuses the result until the token expires', async () => {
    const realm = TestRealm.create('token-cache')
    const gateway = authEnv(realm)
    const now = Math.floor(Date.now() / 1000)
    const token = await realm.mint('bob', { claims: { iat: now, exp: now + 60 } })
    const verify = vi.spyOn(crypto.subtle, 'verify')
    expect(await statusWith(gateway, token)).toBe(200)
    const verifications = verify.mock.calls.length
    expect(verifications).toBeGreaterThan(0)
    for (let i = 0; i < 3; i++) expect(await statusWith(gateway, token)).toBe(200)
    expect(verify.mock.calls.length).toBe(verifications)

    // After expiry (and the clock tolerance) the cached result is gone and the token is refused.
    advanceClock(60_000 + 31_000)
    const response = await callTool(gateway, 'health_check', bearer(token))
    expect(response.status).toBe(401)
  })

  it('does not let a token verified under one configuration pass under another', async () => {
    const realm = TestRealm.create('token-cache-config')
    const token = await realm.mint('bob')
    expect(await statusWith(authEnv(realm), token)).toBe(200)
    const otherAudience = authEnv(realm, { MCP_JWT_AUDIENCE: 'https://other-gateway.example/mcp' })
    expect(await statusWith(otherAudience, token)).toBe(401)
  })
})
