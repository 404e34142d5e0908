/**
 * The key a token must be signed with, from configuration: a JWKS URL (recommended), a static PEM public
 * key or certificate, or a shared secret for HS* algorithms. Never from the token.
 */
import { importSPKI, importX509, type JWTVerifyGetKey } from 'jose'
import type { JwtAlgorithm, JwtAuthConfig } from '../config'
import { GatewayError } from '../errors'
import { jwksKeys, type KeyStore } from './jwks'

export type VerificationKey =
  | { kind: 'resolver'; resolve: JWTVerifyGetKey; afterVerify(): void }
  | { kind: 'static'; key: CryptoKey | Uint8Array; afterVerify(): void }

const nothingToPersist = (): void => undefined

export async function verificationKey(auth: JwtAuthConfig, store: KeyStore): Promise<VerificationKey> {
  const source = auth.keySource
  switch (source.kind) {
    case 'jwks': {
      const keys = await jwksKeys(source.uri, store)
      return { kind: 'resolver', resolve: keys.resolve, afterVerify: keys.persist }
    }
    case 'public_key':
      return {
        kind: 'static',
        key: await staticPublicKey(source.pem, auth.algorithm),
        afterVerify: nothingToPersist,
      }
    case 'secret':
      return {
        kind: 'static',
        key: sharedSecret(source.secret, auth.algorithm),
        afterVerify: nothingToPersist,
      }
  }
}

// Imported keys by algorithm and PEM text: importing is the costly part, the key never changes.
const importedKeys = new Map<string, CryptoKey>()

async function staticPublicKey(pem: string, algorithm: JwtAlgorithm): Promise<CryptoKey> {
  const cacheKey = `${algorithm}\n${pem}`
  const cached = importedKeys.get(cacheKey)
  if (cached !== undefined) return cached
  const key = await importPem(pem, algorithm)
  importedKeys.set(cacheKey, key)
  return key
}

async function importPem(pem: string, algorithm: JwtAlgorithm): Promise<CryptoKey> {
  // A PEM in a one-line variable often arrives with literal "\n" escapes.
  const text = pem.replaceAll('\\n', '\n').trim()
  try {
    if (text.startsWith('-----BEGIN PUBLIC KEY-----')) return await importSPKI(text, algorithm)
    if (text.startsWith('-----BEGIN CERTIFICATE-----')) return await importX509(text, algorithm)
  } catch (err) {
    throw new GatewayError(
      'ConfigurationError',
      `MCP_JWT_PUBLIC_KEY: not a usable ${algorithm} public key.`,
      { cause: err },
    )
  }
  throw new GatewayError(
    'ConfigurationError',
    'MCP_JWT_PUBLIC_KEY: expected a PEM public key (BEGIN PUBLIC KEY) or certificate (BEGIN CERTIFICATE).',
  )
}

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. */
function sharedSecret(secret: string, algorithm: JwtAlgorithm): Uint8Array {
  const bytes = new TextEncoder().encode(secret)
  const minimumBytes = Number(algorithm.slice(2)) / 8
  if (bytes.length < minimumBytes) {
    throw new GatewayError(
      'ConfigurationError',
      `MCP_JWT_SECRET: ${algorithm} needs a secret of at least ${minimumBytes} bytes.`,
    )
  }
  return bytes
}
