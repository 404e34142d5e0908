/**
 * The two other key sources: a static PEM public key (MCP_JWT_PUBLIC_KEY) and a shared HS secret
 * (MCP_JWT_SECRET). The algorithm stays pinned by configuration in both.
 */
import { exportSPKI, importJWK, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  authEnv,
  bearer,
  callTool,
  claimsFor,
  foreignKeyToken,
  TestRealm,
  unsignedToken,
} from '../helpers/tokens'

let realm: TestRealm
let pem: string

beforeAll(async () => {
  realm = TestRealm.create('static-key')
  const { keys } = await realm.publishedKeys()
  pem = await exportSPKI((await importJWK(keys[0]!, 'RS256', { extractable: true })) as CryptoKey)
})

async function status(testEnv: Cloudflare.Env, token: string): Promise<number> {
  return (await callTool(testEnv, 'health_check', bearer(token))).status
}

describe('a static PEM public key', () => {
  const pemEnv = (publicKey: string, algorithm = 'RS256'): Cloudflare.Env =>
    authEnv(realm, { MCP_JWKS_URI: '', MCP_JWT_PUBLIC_KEY: publicKey, MCP_JWT_ALGORITHM: algorithm })

  it('verifies tokens signed by its private key and nothing else', async () => {
    expect(await status(pemEnv(pem), await realm.mint('bob'))).toBe(200)
    expect(await status(pemEnv(pem), await foreignKeyToken(claimsFor(realm, 'bob'), 'any'))).toBe(401)
    expect(await status(pemEnv(pem), unsignedToken(claimsFor(realm, 'bob')))).toBe(401)
  })

  it('accepts the PEM on one line with literal \\n escapes, as one-line variables carry it', async () => {
    expect(await status(pemEnv(pem.trim().replaceAll('\n', '\\n')), await realm.mint('bob'))).toBe(200)
  })

  it('fails loudly (500 ConfigurationError) on a key that does not fit the configured algorithm', async () => {
    for (const [publicKey, algorithm] of [
      [pem, 'ES256'],
      ['-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----', 'RS256'],
      ['ssh-rsa AAAAB3NzaC1yc2E', 'RS256'],
    ] as const) {
      const response = await callTool(
        pemEnv(publicKey, algorithm),
        'health_check',
        bearer(await realm.mint('bob')),
      )
      expect(response.status).toBe(500)
      const body = (await response.json()) as any
      expect(body.error_type).toBe('ConfigurationError')
      expect(body.error).toContain('MCP_JWT_PUBLIC_KEY')
    }
  })
})

describe('a shared HS256 secret', () => {
  const SECRET = 'a-shared-secret-of-at-least-32-bytes!'
  const hsEnv = (secret = SECRET, algorithm = 'HS256'): Cloudflare.Env =>
    authEnv(realm, { MCP_JWKS_URI: '', MCP_JWT_SECRET: secret, MCP_JWT_ALGORITHM: algorithm })
  const sign = (secret: string, algorithm = 'HS256'): Promise<string> =>
    new SignJWT(claimsFor(realm, 'bob'))
      .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
      .sign(new TextEncoder().encode(secret))

  it('verifies tokens signed with the secret under the pinned algorithm only', async () => {
    expect(await status(hsEnv(), await sign(SECRET))).toBe(200)
    expect(await status(hsEnv(), await sign('another-secret-that-is-also-long-enough'))).toBe(401)
    expect(await status(hsEnv(), await sign(SECRET, 'HS512'))).toBe(401)
    expect(await status(hsEnv(), await realm.mint('bob'))).toBe(401)
    expect(await status(hsEnv(), unsignedToken(claimsFor(realm, 'bob')))).toBe(401)
  })

  it('refuses a secret shorter than the hash (RFC 7518 §3.2) as a configuration error', async () => {
    const response = await callTool(hsEnv('too-short'), 'health_check', bearer(await sign('too-short')))
    expect(response.status).toBe(500)
    // Caught when the configuration is parsed, so /health names it too.
    expect(await response.json()).toMatchObject({
      error_type: 'ConfigurationError',
      error: expect.stringContaining('MCP_JWT_SECRET: HS256 needs a secret of at least 32 bytes'),
    })
  })
})
