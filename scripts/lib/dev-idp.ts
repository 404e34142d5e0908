/**
 * A development identity provider, so the production verification path (JWKS, RS256/ES256, iss, aud,
 * exp, scopes) runs locally: a key pair generated at start, its JWKS at `/.well-known/jwks.json`, OpenID
 * metadata at `/.well-known/openid-configuration`, and tokens minted by `mintToken()` or `POST /token`
 * (body `{"user", "scope"?, "tenant"?, "ttl"?}`). It listens on 127.0.0.1 only and is for local use only:
 * anyone who can reach it can mint a token for any user.
 *
 * Constructed with `testControls`, it also serves isolated issuers under `/realms/<name>/` (each with its
 * own keys and counters) with control endpoints for the tests: rotate keys, take the JWKS endpoint down
 * and up, count JWKS fetches, and mint tokens with arbitrary claims.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose'

export type DevIdpAlgorithm = 'RS256' | 'ES256'

export interface DevIdpOptions {
  /** The `aud` of minted tokens: the gateway's canonical MCP URL. */
  audience: string
  algorithm?: DevIdpAlgorithm
  /** 0 (default) picks a free port. */
  port?: number
  /** `scope` of tokens minted without one (space-separated). */
  defaultScope?: string
  /** The claim that carries `tenant` (the gateway's MCP_TENANT_CLAIM). */
  tenantClaim?: string
  /** Serve `/realms/<name>/` issuers and their test-only control endpoints. */
  testControls?: boolean
  /** The default issuer's signing key (a private JWK from `signingKey()`); a new one when absent. */
  signingKey?: JWK
}

export interface TokenRequest {
  user: string
  scope?: string
  tenant?: string
  /** Lifetime in seconds (default one hour, at most a week). */
  ttl?: number
}

export interface DevIdp {
  /** Base URL of the server, `http://127.0.0.1:<port>`. */
  url: string
  /** `iss` of tokens from the default issuer (equal to `url`). */
  issuer: string
  jwksUri: string
  audience: string
  algorithm: DevIdpAlgorithm
  mintToken(request: TokenRequest): Promise<string>
  /** The default issuer's signing key as a private JWK, to keep and pass back as `signingKey`. */
  signingKey(): Promise<JWK>
  close(): Promise<void>
}

export const DEFAULT_TOKEN_TTL_SECONDS = 3_600
export const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 3_600
const MAX_REQUEST_BODY_BYTES = 64 * 1024
const REALM_NAME = /^[A-Za-z0-9_-]{1,64}$/

interface SigningKey {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

type IssuerOptions = Required<Omit<DevIdpOptions, 'port' | 'testControls' | 'signingKey'>>

/** One issuer: its signing keys (the first one signs) and, for the tests, its JWKS availability and fetch count. */
class Issuer {
  readonly issuer: string
  readonly #options: IssuerOptions
  #keys: SigningKey[] = []
  jwksAvailable = true
  jwksFetches = 0

  constructor(issuer: string, options: IssuerOptions) {
    this.issuer = issuer
    this.#options = options
  }

  /** A new signing key; the previous ones stay published only when `keepPrevious`. */
  async rotate(keepPrevious = true): Promise<string> {
    const key = await createSigningKey(this.#options.algorithm)
    this.#keys = keepPrevious ? [key, ...this.#keys] : [key]
    return key.kid
  }

  /** Signs with a key kept from an earlier run. */
  async use(privateJwk: JWK): Promise<void> {
    this.#keys = [await importSigningKey(privateJwk, this.#options.algorithm)]
  }

  async exportSigningKey(): Promise<JWK> {
    const key = this.#keys[0]
    if (key === undefined) throw new Error('the issuer has no signing key')
    return { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: this.#options.algorithm }
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((key) => key.publicJwk) }
  }

  openidConfiguration(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer}/.well-known/jwks.json`,
      // Not an OAuth token endpoint (no grant types): the development tool's own, hence the name.
      dev_token_endpoint: `${this.issuer}/token`,
      response_types_supported: [],
      grant_types_supported: [],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [this.#options.algorithm],
      scopes_supported: this.#options.defaultScope.split(' ').filter((scope) => scope !== ''),
      claims_supported: ['sub', 'preferred_username', 'email', 'scope', this.#options.tenantClaim],
    }
  }

  /** A signed access token; `overrides` (tests only) replace claims, `null` removes one. */
  async mint(request: TokenRequest, overrides: Record<string, unknown> = {}): Promise<string> {
    const signingKey = this.#keys[0]
    if (signingKey === undefined) throw new Error('the issuer has no signing key')
    const now = Math.floor(Date.now() / 1000)
    const scope = request.scope ?? this.#options.defaultScope
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.#options.audience,
      sub: request.user,
      preferred_username: request.user,
      ...(request.user.includes('@') ? { email: request.user } : {}),
      ...(scope === '' ? {} : { scope }),
      ...(request.tenant === undefined ? {} : { [this.#options.tenantClaim]: request.tenant }),
      client_id: 'superset-mcp-dev-idp',
      jti: randomUUID(),
      iat: now,
      exp: now + (request.ttl ?? DEFAULT_TOKEN_TTL_SECONDS),
    }
    for (const [name, value] of Object.entries(overrides)) {
      if (value === null) delete claims[name]
      else claims[name] = value
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: this.#options.algorithm, kid: signingKey.kid, typ: 'at+jwt' })
      .sign(signingKey.privateKey)
  }
}

async function createSigningKey(algorithm: DevIdpAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true })
  return signingKeyOf(privateKey, await exportJWK(publicKey), algorithm)
}

/** Private JWK members, left out of the published key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']

async function importSigningKey(privateJwk: JWK, algorithm: DevIdpAlgorithm): Promise<SigningKey> {
  if (privateJwk.alg !== undefined && privateJwk.alg !== algorithm) {
    throw new Error(`the kept signing key is ${privateJwk.alg}, not ${algorithm}`)
  }
  const privateKey = (await importJWK({ ...privateJwk, ext: true }, algorithm)) as CryptoKey
  const publicJwk = Object.fromEntries(
    Object.entries(privateJwk).filter(
      ([member]) =>
        !PRIVATE_MEMBERS.includes(member) &&
        member !== 'kid' &&
        member !== 'alg' &&
        member !== 'ext' &&
        member !== 'key_ops',
    ),
  ) as JWK
  return signingKeyOf(privateKey, publicJwk, algorithm)
}

async function signingKeyOf(
  privateKey: CryptoKey,
  publicJwk: JWK,
  algorithm: DevIdpAlgorithm,
): Promise<SigningKey> {
  const kid = await calculateJwkThumbprint(publicJwk)
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: algorithm, use: 'sig' } }
}

export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const settings = {
    audience: options.audience,
    algorithm: options.algorithm ?? 'RS256',
    defaultScope: options.defaultScope ?? '',
    tenantClaim: options.tenantClaim ?? 'tenant',
  }
  // Promises, so that concurrent first requests to a realm share one issuer (and one key).
  const realms = new Map<string, Promise<Issuer>>()
  let baseUrl = ''
  const issuerFor = (realm: string | undefined): Promise<Issuer> => {
    const name = realm ?? ''
    let issuer = realms.get(name)
    if (issuer === undefined) {
      const created = new Issuer(realm === undefined ? baseUrl : `${baseUrl}/realms/${realm}`, settings)
      const kept = realm === undefined ? options.signingKey : undefined
      issuer = (kept === undefined ? created.rotate() : created.use(kept)).then(() => created)
      realms.set(name, issuer)
    }
    return issuer
  }
  const server = createServer((request, response) => {
    handle(request, response, { issuerFor, testControls: options.testControls === true }).catch(
      (err: unknown) =>
        send(response, err instanceof BadRequest ? 400 : 500, {
          error: err instanceof Error ? err.message : String(err),
        }),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const root = await issuerFor(undefined)
  return {
    url: baseUrl,
    issuer: root.issuer,
    jwksUri: `${root.issuer}/.well-known/jwks.json`,
    audience: settings.audience,
    algorithm: settings.algorithm,
    mintToken: (request) => root.mint(validTokenRequest(request)),
    signingKey: () => root.exportSigningKey(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

interface Router {
  issuerFor(realm: string | undefined): Promise<Issuer>
  testControls: boolean
}

async function handle(request: IncomingMessage, response: ServerResponse, router: Router): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1')
  if (!isLoopbackHost(request.headers.host)) return send(response, 403, { error: 'local use only' })
  const { realm, route } = splitRealm(url.pathname)
  if (realm !== undefined && (!router.testControls || !REALM_NAME.test(realm))) {
    return send(response, 404, { error: 'not found' })
  }
  const issuer = await router.issuerFor(realm)
  const method = request.method ?? 'GET'
  if (method === 'GET' && route === '/.well-known/jwks.json') {
    issuer.jwksFetches += 1
    if (!issuer.jwksAvailable) return send(response, 503, { error: 'JWKS endpoint down (test control)' })
    return send(response, 200, issuer.jwks(), 'application/jwk-set+json')
  }
  if (method === 'GET' && route === '/.well-known/openid-configuration') {
    return send(response, 200, issuer.openidConfiguration())
  }
  if (method === 'POST' && route === '/token') {
    // A browser page must not mint tokens through a user's local issuer.
    if (request.headers.origin !== undefined)
      return send(response, 403, { error: 'no cross-origin requests' })
    const body = await readJson(request)
    const overrides = router.testControls ? claimOverrides(body) : {}
    return send(response, 200, { access_token: await issuer.mint(validTokenRequest(body), overrides) })
  }
  if (router.testControls && route.startsWith('/_test/'))
    return testControl(method, route, issuer, request, response)
  return send(response, 404, { error: 'not found' })
}

async function testControl(
  method: string,
  route: string,
  issuer: Issuer,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (method === 'POST' && route === '/_test/rotate') {
    const body = (await readJson(request)) as { keep_previous?: unknown }
    return send(response, 200, { kid: await issuer.rotate(body.keep_previous !== false) })
  }
  if (method === 'POST' && (route === '/_test/down' || route === '/_test/up')) {
    issuer.jwksAvailable = route === '/_test/up'
    return send(response, 200, { jwks_available: issuer.jwksAvailable })
  }
  if (method === 'GET' && route === '/_test/stats') {
    return send(response, 200, {
      jwks_fetches: issuer.jwksFetches,
      // The published set, for the tests to read without counting as a fetch.
      jwks: issuer.jwks(),
    })
  }
  return send(response, 404, { error: 'not found' })
}

function splitRealm(pathname: string): { realm: string | undefined; route: string } {
  const match = /^\/realms\/([^/]+)(\/.*)$/.exec(pathname)
  return match?.[1] !== undefined && match[2] !== undefined
    ? { realm: match[1], route: match[2] }
    : { realm: undefined, route: pathname }
}

/** DNS-rebinding protection: only requests addressed to a loopback name. */
function isLoopbackHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '')
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]'
}

function validTokenRequest(body: unknown): TokenRequest {
  const { user, scope, tenant, ttl } = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >
  if (typeof user !== 'string' || user.trim() === '' || user.length > 320) {
    throw new BadRequest('"user" must be a Superset username or email')
  }
  if (scope !== undefined && typeof scope !== 'string') throw new BadRequest('"scope" must be a string')
  if (tenant !== undefined && typeof tenant !== 'string') throw new BadRequest('"tenant" must be a string')
  if (
    ttl !== undefined &&
    (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > MAX_TOKEN_TTL_SECONDS)
  ) {
    throw new BadRequest(`"ttl" must be a whole number of seconds from 1 to ${MAX_TOKEN_TTL_SECONDS}`)
  }
  return {
    user: user.trim(),
    ...(scope === undefined ? {} : { scope }),
    ...(tenant === undefined ? {} : { tenant }),
    ...(ttl === undefined ? {} : { ttl: ttl as number }),
  }
}

function claimOverrides(body: unknown): Record<string, unknown> {
  const claims = (body as { claims?: unknown } | undefined)?.claims
  return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {}
}

class BadRequest extends Error {
  override readonly name = 'BadRequest'
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_REQUEST_BODY_BYTES) throw new BadRequest('request body too large')
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new BadRequest('the body must be JSON')
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  if (response.headersSent) return
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' })
  response.end(JSON.stringify(body))
}

// ---------------------------------------------------------------------------------------------------
// The local stack: which authentication `npm start` runs with, and the state file `npm run token` reads.

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Where `npm start` on a gateway port records its local issuer. */
export function devIdpStateFile(gatewayPort: number): string {
  return `${ROOT}.wrangler/dev-idp/${gatewayPort}.json`
}

export interface DevIdpState {
  url: string
  issuer: string
  audience: string
  pid: number
}

export async function readDevIdpState(gatewayPort: number): Promise<DevIdpState | undefined> {
  try {
    return JSON.parse(await readFile(devIdpStateFile(gatewayPort), 'utf8')) as DevIdpState
  } catch {
    return undefined
  }
}

/**
 * - `disabled`: MCP_AUTH_ENABLED=false, or MCP_DEV_USERNAME set without MCP_AUTH_ENABLED (the
 *   development username acts for every request);
 * - `external-issuer`: a key source (MCP_JWKS_URI / MCP_JWT_PUBLIC_KEY / MCP_JWT_SECRET) in the environment;
 * - `local-issuer`: otherwise, the development identity provider above.
 */
export type LocalAuthMode = 'local-issuer' | 'external-issuer' | 'disabled'

export interface LocalAuth {
  mode: LocalAuthMode
  /** Worker variables for this mode, applied over the environment's. */
  vars: Record<string, string>
  issuer: string | undefined
  audience: string | undefined
  /** Mints a token from the local issuer (`local-issuer` only). */
  mintToken: ((request: TokenRequest) => Promise<string>) | undefined
  /** Something the user should know (the kept issuer could not be used as before). */
  notice?: string
  stop(): Promise<void>
}

/** What a local issuer keeps between starts: its address and signing key, so printed tokens survive a restart. */
interface KeptIssuer {
  port: number
  algorithm: DevIdpAlgorithm
  signingKey: JWK
}

function keptIssuerFile(directory: string, gatewayPort: number): string {
  return `${directory}/issuer-${gatewayPort}.json`
}

async function readKeptIssuer(file: string, algorithm: DevIdpAlgorithm): Promise<KeptIssuer | undefined> {
  try {
    const kept = JSON.parse(await readFile(file, 'utf8')) as KeptIssuer
    return kept.algorithm === algorithm && Number.isInteger(kept.port) ? kept : undefined
  } catch {
    return undefined
  }
}

/** The issuer at its kept address and key; elsewhere (with a notice) when that port is taken now. */
async function startKeptDevIdp(
  options: DevIdpOptions,
  kept: KeptIssuer | undefined,
): Promise<{ idp: DevIdp; notice?: string }> {
  if (kept === undefined) return { idp: await startDevIdp(options) }
  try {
    return { idp: await startDevIdp({ ...options, port: kept.port, signingKey: kept.signingKey }) }
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err
    return {
      idp: await startDevIdp({ ...options, signingKey: kept.signingKey }),
      notice: `the local issuer's port ${kept.port} is taken by another program, so it moved: tokens printed by earlier starts no longer verify (run npm run token for a new one)`,
    }
  }
}

const KEY_SOURCE_NAMES = ['MCP_JWKS_URI', 'MCP_JWT_PUBLIC_KEY', 'MCP_JWT_SECRET'] as const

export function localAuthMode(env: NodeJS.ProcessEnv): LocalAuthMode {
  const enabled = env.MCP_AUTH_ENABLED?.trim().toLowerCase() ?? ''
  if (['false', '0', 'no', 'off'].includes(enabled)) return 'disabled'
  if (enabled === '' && (env.MCP_DEV_USERNAME?.trim() ?? '') !== '') return 'disabled'
  return KEY_SOURCE_NAMES.some((name) => (env[name]?.trim() ?? '') !== '')
    ? 'external-issuer'
    : 'local-issuer'
}

/**
 * `keepIn`: a directory where the local issuer keeps its port and signing key between starts (npm start
 * uses `.data/dev-idp`, removed by `--fresh`); without it, each start has a new issuer.
 */
export async function startLocalAuth(
  gatewayPort: number,
  env: NodeJS.ProcessEnv = process.env,
  keepIn?: string,
): Promise<LocalAuth> {
  const mode = localAuthMode(env)
  const nothingToStop = async (): Promise<void> => undefined
  if (mode === 'disabled') {
    return {
      mode,
      vars: {},
      issuer: undefined,
      audience: undefined,
      mintToken: undefined,
      stop: nothingToStop,
    }
  }
  if (mode === 'external-issuer') return externalIssuer(env, nothingToStop)
  const algorithm: DevIdpAlgorithm = env.MCP_JWT_ALGORITHM?.trim() === 'ES256' ? 'ES256' : 'RS256'
  const keptFile = keepIn === undefined ? undefined : keptIssuerFile(keepIn, gatewayPort)
  const { idp, notice } = await startKeptDevIdp(
    {
      audience: `http://127.0.0.1:${gatewayPort}/mcp`,
      algorithm,
      defaultScope: (env.MCP_REQUIRED_SCOPES ?? '')
        .split(/[\s,]+/)
        .filter((scope) => scope !== '')
        .join(' '),
      tenantClaim: env.MCP_TENANT_CLAIM?.trim() || 'tenant',
    },
    keptFile === undefined ? undefined : await readKeptIssuer(keptFile, algorithm),
  )
  if (keptFile !== undefined) {
    const kept: KeptIssuer = {
      port: Number(new URL(idp.url).port),
      algorithm,
      signingKey: await idp.signingKey(),
    }
    await mkdir(dirname(keptFile), { recursive: true })
    await writeFile(keptFile, JSON.stringify(kept, null, 2) + '\n', { mode: 0o600 })
  }
  const stateFile = devIdpStateFile(gatewayPort)
  const state: DevIdpState = { url: idp.url, issuer: idp.issuer, audience: idp.audience, pid: process.pid }
  await mkdir(dirname(stateFile), { recursive: true })
  await writeFile(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 })
  return {
    mode,
    vars: {
      MCP_AUTH_ENABLED: 'true',
      MCP_DEV_USERNAME: '',
      MCP_JWKS_URI: idp.jwksUri,
      MCP_JWT_ISSUER: idp.issuer,
      MCP_JWT_AUDIENCE: idp.audience,
      MCP_JWT_ALGORITHM: algorithm,
    },
    issuer: idp.issuer,
    audience: idp.audience,
    mintToken: (request) => idp.mintToken(request),
    ...(notice === undefined ? {} : { notice }),
    stop: async () => {
      await rm(stateFile, { force: true })
      await idp.close()
    },
  }
}

function externalIssuer(env: NodeJS.ProcessEnv, stop: () => Promise<void>): LocalAuth {
  const issuer = env.MCP_JWT_ISSUER?.trim()
  const audience = env.MCP_JWT_AUDIENCE?.trim()
  if (!issuer || !audience) {
    throw new Error(
      'MCP_JWT_ISSUER and MCP_JWT_AUDIENCE must be set together with MCP_JWKS_URI / MCP_JWT_PUBLIC_KEY / MCP_JWT_SECRET',
    )
  }
  const vars: Record<string, string> = { MCP_AUTH_ENABLED: 'true', MCP_DEV_USERNAME: '' }
  // wrangler's env file takes one line per value; the gateway reads "\n" escapes in a PEM back.
  const pem = env.MCP_JWT_PUBLIC_KEY?.trim()
  if (pem) vars.MCP_JWT_PUBLIC_KEY = pem.replaceAll('\r', '').replaceAll('\n', '\\n')
  return { mode: 'external-issuer', vars, issuer, audience, mintToken: undefined, stop }
}
