/**
 * Bearer JWT verification with jose: the algorithm pinned from configuration, `iss`, `aud` (the gateway's
 * canonical MCP URL, RFC 8707), `exp` (required), `nbf` and `iat` with a small clock tolerance. A verified
 * token is remembered in the isolate until it expires, keyed by a SHA-256 of the token, never the token.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose'
import type { JwtAuthConfig } from '../config'
import { sha256Hex } from '../digest'
import type { KeyStore } from './jwks'
import { verificationKey, type VerificationKey } from './keys'
import { VerifiedTokenCache } from './token-cache'

export const CLOCK_TOLERANCE_SECONDS = 30

/** Why a token was refused: for logs only, the caller always reads the same generic message. */
export type RejectReason =
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'keys_unavailable'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'invalid_token'

export type VerifyResult =
  { ok: true; claims: JWTPayload } | { ok: false; reason: RejectReason; cause: unknown }

const verifiedTokens = new VerifiedTokenCache()

export async function verifyAccessToken(
  token: string,
  auth: JwtAuthConfig,
  store: KeyStore,
): Promise<VerifyResult> {
  const cacheKey = await verifiedTokenKey(token, auth)
  const remembered = verifiedTokens.get(cacheKey, Date.now())
  if (remembered !== undefined) return { ok: true, claims: remembered }
  const options = verifyOptions(auth)
  const key = await verificationKey(auth, store)
  try {
    const claims = await verifyWith(token, key, options)
    if (issuedInTheFuture(claims)) return { ok: false, reason: 'issued_in_future', cause: undefined }
    // `exp` is a required claim, so every remembered token expires.
    verifiedTokens.set(cacheKey, claims, (claims.exp as number) * 1000)
    return { ok: true, claims }
  } catch (err) {
    return { ok: false, reason: rejectReason(err), cause: err }
  } finally {
    key.afterVerify()
  }
}

/**
 * Whether `token` verified under these settings and is remembered still: one hash and a lookup, no signature
 * check and no key fetch (for the unauthenticated budget, which must not refuse known callers).
 */
export async function isRememberedToken(token: string, auth: JwtAuthConfig): Promise<boolean> {
  return verifiedTokens.get(await verifiedTokenKey(token, auth), Date.now()) !== undefined
}

// The settings are part of the key: a token verified under one issuer/audience/key says nothing about another.
function verifiedTokenKey(token: string, auth: JwtAuthConfig): Promise<string> {
  return sha256Hex(`${verifierFingerprint(auth)}\n${token}`)
}

function verifierFingerprint(auth: JwtAuthConfig): string {
  return JSON.stringify([auth.algorithm, auth.issuer, auth.audience, auth.keySource])
}

function verifyOptions(auth: JwtAuthConfig): JWTVerifyOptions {
  return {
    algorithms: [auth.algorithm],
    issuer: auth.issuer,
    audience: auth.audience,
    requiredClaims: ['exp'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  }
}

async function verifyWith(
  token: string,
  key: VerificationKey,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  const { payload } =
    key.kind === 'resolver'
      ? await jwtVerify(token, key.resolve, options)
      : await jwtVerify(token, key.key, options)
  return payload
}

/** jose checks `iat` only together with a maximum token age; a token from the future is refused here. */
function issuedInTheFuture(claims: JWTPayload): boolean {
  return typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS
}

function rejectReason(err: unknown): RejectReason {
  // Anything but a JOSE error is the key set's fetch failing (network error, guard).
  if (!(err instanceof errors.JOSEError)) return 'keys_unavailable'
  switch (err.code) {
    case errors.JWTExpired.code:
      return 'expired'
    case errors.JWTClaimValidationFailed.code:
      return claimReason(err as errors.JWTClaimValidationFailed)
    case errors.JOSEAlgNotAllowed.code:
      return 'algorithm_not_allowed'
    case errors.JWSSignatureVerificationFailed.code:
      return 'bad_signature'
    case errors.JWKSNoMatchingKey.code:
    case errors.JWKSMultipleMatchingKeys.code:
      return 'unknown_key'
    case errors.JWSInvalid.code:
    case errors.JWTInvalid.code:
      return 'malformed_token'
    case errors.JWKSTimeout.code:
    case errors.JWKSInvalid.code:
    case errors.JOSEError.code:
      return 'keys_unavailable'
    default:
      return 'invalid_token'
  }
}

function claimReason(err: errors.JWTClaimValidationFailed): RejectReason {
  if (err.reason === 'missing') return 'missing_claim'
  switch (err.claim) {
    case 'iss':
      return 'wrong_issuer'
    case 'aud':
      return 'wrong_audience'
    case 'nbf':
      return 'not_yet_valid'
    default:
      return 'invalid_claim'
  }
}
