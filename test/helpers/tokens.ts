/**
 * Test helpers for authentication: an isolated issuer (a realm of the development identity provider the
 * global setup started), the Worker called with authentication enabled against it, and the tokens an
 * attacker would try.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import {
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose'
import { inject } from 'vitest'
import worker from '../../src/index'
import { BASE } from './mcp'

/** The gateway's canonical MCP URL in the tests, and so the audience of every good token. */
export const AUDIENCE = `${BASE}/mcp`

export interface MintOptions {
  scope?: string
  tenant?: string
  ttl?: number
  /** Claims to replace; `null` removes one. */
  claims?: Record<string, unknown>
}

/** One issuer of its own (keys, JWKS availability, fetch counter), so tests never disturb each other. */
export class TestRealm {
  readonly name: string
  readonly issuer: string
  readonly jwksUri: string

  private constructor(name: string) {
    this.name = name
    this.issuer = `${inject('idp')}/realms/${name}`
    this.jwksUri = `${this.issuer}/.well-known/jwks.json`
  }

  static create(label: string): TestRealm {
    return new TestRealm(`${label}-${crypto.randomUUID().slice(0, 8)}`)
  }

  async mint(user: string, options: MintOptions = {}): Promise<string> {
    const { claims, ...request } = options
    const body = (await this.#call('POST', '/token', { user, ...request, claims })) as {
      access_token: string
    }
    return body.access_token
  }

  /** A new signing key; returns its kid. */
  async rotate(keepPrevious = true): Promise<string> {
    return ((await this.#call('POST', '/_test/rotate', { keep_previous: keepPrevious })) as { kid: string })
      .kid
  }

  async takeJwksDown(): Promise<void> {
    await this.#call('POST', '/_test/down')
  }

  async bringJwksUp(): Promise<void> {
    await this.#call('POST', '/_test/up')
  }

  /** JWKS requests the identity provider has seen for this realm (answered or not). */
  async jwksFetches(): Promise<number> {
    return ((await this.#call('GET', '/_test/stats')) as { jwks_fetches: number }).jwks_fetches
  }

  /** The published key set, read without counting as a gateway fetch. */
  async publishedKeys(): Promise<JSONWebKeySet> {
    return ((await this.#call('GET', '/_test/stats')) as { jwks: JSONWebKeySet }).jwks
  }

  async #call(method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.issuer}${route}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    })
    if (!response.ok)
      throw new Error(`identity provider ${method} ${route}: ${response.status} ${await response.text()}`)
    return response.json()
  }
}

/** A per-IP limit no test reaches (a limit rather than "off": the isolate's bucket is shared by every test). */
const UNLIMITED = '100000 per minute'

/** The Worker's bindings with the development username (auth disabled), as vitest.config.ts sets them. */
export function devEnv(overrides: Record<string, string> = {}): Cloudflare.Env {
  return { ...env, MCP_IP_RATE_LIMIT: UNLIMITED, ...overrides }
}

/** The Worker's bindings with JWT authentication against `realm` (a new object: its configuration parses fresh). */
export function authEnv(realm: TestRealm, overrides: Record<string, string> = {}): Cloudflare.Env {
  return {
    ...env,
    MCP_AUTH_ENABLED: 'true',
    MCP_DEV_USERNAME: '',
    MCP_JWKS_URI: realm.jwksUri,
    MCP_JWT_ISSUER: realm.issuer,
    MCP_JWT_AUDIENCE: AUDIENCE,
    MCP_JWT_ALGORITHM: 'RS256',
    // These tests send forged tokens by the dozen; the per-IP limit on them has tests of its own.
    MCP_IP_RATE_LIMIT: UNLIMITED,
    ...overrides,
  }
}

/** A fetch that runs the gateway with `testEnv` and waits for its background work (KV writes, pool close). */
export function gatewayFetch(
  testEnv: Cloudflare.Env,
): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const ctx = createExecutionContext()
    const response = await worker.fetch(new Request(input, init), testEnv, ctx)
    const body = await response.arrayBuffer()
    await waitOnExecutionContext(ctx)
    return new Response(body, response)
  }
}

/** POST /tools/{name} with an optional Authorization header value. */
export function callTool(
  testEnv: Cloudflare.Env,
  name: string,
  authorization: string | undefined,
  request: unknown = {},
): Promise<Response> {
  return gatewayFetch(testEnv)(`${BASE}/tools/${name}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify({ request }),
  })
}

export const bearer = (token: string): string => `Bearer ${token}`

/** The MCP SDK client, connected through the gateway with `token`. */
export async function connectWithToken(testEnv: Cloudflare.Env, token: string): Promise<Client> {
  const client = new Client({ name: 'auth-tests', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(AUDIENCE), {
    fetch: gatewayFetch(testEnv),
    requestInit: { headers: { authorization: bearer(token) } },
  })
  await client.connect(transport)
  return client
}

// ---------------------------------------------------------------------------------------------------
// What an attacker sends.

/** Claims a good token from `realm` would carry, for tokens the realm did not sign. */
export function claimsFor(realm: TestRealm, user: string, extra: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000)
  return {
    iss: realm.issuer,
    aud: AUDIENCE,
    sub: user,
    preferred_username: user,
    iat: now,
    exp: now + 600,
    ...extra,
  }
}

/** An unsecured JWT (`alg: none`, RFC 7519 §6): no signature at all. */
export function unsignedToken(claims: JWTPayload): string {
  const encode = (value: object): string => base64url.encode(JSON.stringify(value))
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`
}

/**
 * The algorithm-confusion attack: HS256 with the issuer's RSA public key (its PEM text) as the HMAC secret,
 * which a verifier that lets the token choose the algorithm would accept.
 */
export async function hs256WithPublicKey(realm: TestRealm, claims: JWTPayload): Promise<string> {
  const { keys } = await realm.publishedKeys()
  const jwk = keys[0]!
  const publicKey = await importJWK(jwk, 'RS256', { extractable: true })
  const pem = await exportSPKI(publicKey as CryptoKey)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: jwk.kid!, typ: 'JWT' })
    .sign(new TextEncoder().encode(pem))
}

let attackerKey: Promise<CryptoKey> | undefined

/** A well-formed RS256 token signed by a key the issuer never published, under `kid`. */
export async function foreignKeyToken(claims: JWTPayload, kid: string): Promise<string> {
  attackerKey ??= generateKeyPair('RS256').then((pair) => pair.privateKey)
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(await attackerKey)
}

/** The token with its payload changed and the original signature kept. */
export function tamperedToken(token: string, changes: JWTPayload): string {
  const [header, , signature] = token.split('.')
  const payload = base64url.encode(JSON.stringify({ ...decodeJwt(token), ...changes }))
  return `${header}.${payload}.${signature}`
}

export function kidOf(token: string): string | undefined {
  return decodeProtectedHeader(token).kid
}
