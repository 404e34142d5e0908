/**
 * The request state a confirmation carries: which call the user was asked about, signed by the gateway
 * (HMAC-SHA256, Web Crypto) so a client can hand it back but not forge or alter it. It binds the tenant,
 * the user, the tool and a digest of the exact parsed arguments, with a random nonce (used once, in the
 * caller's RateLimiter Durable Object) and a short lifetime. Nothing about the call is kept server-side
 * until it is confirmed: any isolate can check a state with the key alone.
 *
 * Wire form: `c1.<payload>.<signature>`, both base64url; the payload is JSON.
 */
import { GatewayError } from '../errors'

/** How long a user has to answer: long enough to read the question, short enough to not linger. */
export const CONFIRMATION_TTL_MS = 5 * 60_000

const VERSION = 'c1'

/** What a state is bound to: the call exactly as it would run. */
export interface ConfirmationBinding {
  tenant: string
  userId: number
  tool: string
  /** digestArguments of the parsed request (defaults applied): the same call however it was spelt. */
  argumentsDigest: string
}

/** A state that checked out: its nonce still has to be consumed (single use) before the call runs. */
export interface VerifiedState {
  nonce: string
  /** Epoch milliseconds. */
  expiresAt: number
}

interface Payload {
  v: 1
  tn: string
  u: number
  tool: string
  d: string
  n: string
  iat: number
  exp: number
}

const keys = new Map<string, Promise<CryptoKey>>()

/** The HMAC key for a secret, imported once per isolate. */
function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (key === undefined) {
    key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    keys.set(secret, key)
  }
  return key
}

/** A new state for `binding`, valid CONFIRMATION_TTL_MS from `now`. */
export async function issueConfirmationState(
  binding: ConfirmationBinding,
  secret: string,
  now: number = Date.now(),
): Promise<{ state: string; expiresAt: number }> {
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)))
  const payload: Payload = {
    v: 1,
    tn: binding.tenant,
    u: binding.userId,
    tool: binding.tool,
    d: binding.argumentsDigest,
    n: nonce,
    iat: now,
    exp: now + CONFIRMATION_TTL_MS,
  }
  const signed = `${VERSION}.${base64url(new TextEncoder().encode(JSON.stringify(payload)))}`
  const signature = await crypto.subtle.sign('HMAC', await keyFor(secret), new TextEncoder().encode(signed))
  return { state: `${signed}.${base64url(new Uint8Array(signature))}`, expiresAt: payload.exp }
}

/**
 * Checks a state handed back with a confirmation against the call it is offered for. Refuses, each with
 * its own message (and `details.reason`): a state the gateway did not sign or that was altered, an
 * expired one, one issued to another user or tenant, for another tool, or for other arguments.
 */
export async function verifyConfirmationState(
  state: string,
  binding: ConfirmationBinding,
  secret: string,
  now: number = Date.now(),
): Promise<VerifiedState> {
  const payload = await signedPayload(state, secret)
  if (payload === undefined) {
    throw refusal(
      'ValidationError',
      'The confirmation state was not issued by this gateway or has been altered; nothing was run. Call the tool again without a confirmation to be asked anew.',
      'confirmation_state_invalid',
    )
  }
  if (payload.exp <= now) {
    throw refusal(
      'ValidationError',
      `The confirmation state has expired (a confirmation must be answered within ${CONFIRMATION_TTL_MS / 60_000} minutes); nothing was run. Call the tool again to be asked anew.`,
      'confirmation_state_expired',
    )
  }
  if (payload.tn !== binding.tenant || payload.u !== binding.userId) {
    throw refusal(
      'PermissionDeniedError',
      'The confirmation state was issued to another user: only the user who was asked can confirm. Nothing was run.',
      'confirmation_state_other_caller',
    )
  }
  if (payload.tool !== binding.tool) {
    throw refusal(
      'ValidationError',
      `The confirmation state was issued for ${payload.tool}, not ${binding.tool}; nothing was run.`,
      'confirmation_state_other_tool',
    )
  }
  if (payload.d !== binding.argumentsDigest) {
    throw refusal(
      'ValidationError',
      'The arguments differ from the ones the user was asked to confirm; nothing was run. Call the tool again with these arguments to be asked about them.',
      'confirmation_arguments_changed',
    )
  }
  return { nonce: payload.n, expiresAt: payload.exp }
}

/** The refusal of a state whose nonce was already consumed. */
export function stateUsedError(): GatewayError {
  return refusal(
    'ValidationError',
    'This confirmation state has already been used: a confirmation runs its call once. Nothing was run again; call the tool again to be asked anew.',
    'confirmation_state_used',
  )
}

/** The payload of a well-formed state whose signature is this gateway's, else undefined. */
async function signedPayload(state: string, secret: string): Promise<Payload | undefined> {
  const parts = state.split('.')
  if (parts.length !== 3 || parts[0] !== VERSION) return undefined
  const [version, body, signature] = parts as [string, string, string]
  const signatureBytes = fromBase64url(signature)
  const bodyBytes = fromBase64url(body)
  if (signatureBytes === undefined || bodyBytes === undefined) return undefined
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify(
    'HMAC',
    await keyFor(secret),
    signatureBytes,
    new TextEncoder().encode(`${version}.${body}`),
  )
  if (!valid) return undefined
  let payload: unknown
  try {
    payload = JSON.parse(new TextDecoder().decode(bodyBytes))
  } catch {
    return undefined
  }
  return isPayload(payload) ? payload : undefined
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false
  const payload = value as Record<string, unknown>
  return (
    payload.v === 1 &&
    typeof payload.tn === 'string' &&
    typeof payload.u === 'number' &&
    typeof payload.tool === 'string' &&
    typeof payload.d === 'string' &&
    typeof payload.n === 'string' &&
    typeof payload.iat === 'number' &&
    typeof payload.exp === 'number'
  )
}

function refusal(type: 'ValidationError' | 'PermissionDeniedError', message: string, reason: string) {
  return new GatewayError(type, message, { details: { reason } })
}

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
    return Uint8Array.from(binary, (char) => char.charCodeAt(0))
  } catch {
    return undefined
  }
}

/**
 * The state of an input-required round a tool asked for (a tool answering InputRequiredAnswer, src/tools
 * core/content.ts): the tool's own JSON, signed as confirmations are but under its own prefix (`r1`), so
 * neither can stand in for the other. Bound to the caller and the tool; not single use (handing a round
 * back twice asks or answers twice, which only the tool's own state decides), short-lived.
 */
const ROUND_VERSION = 'r1'

interface RoundPayload {
  v: 1
  tn: string
  u: number
  tool: string
  data: unknown
  exp: number
}

/** The signed state of a round asked by `binding.tool` for `binding`'s caller. */
export async function issueRoundState(
  binding: Omit<ConfirmationBinding, 'argumentsDigest'>,
  data: unknown,
  secret: string,
  now: number = Date.now(),
): Promise<string> {
  const payload: RoundPayload = {
    v: 1,
    tn: binding.tenant,
    u: binding.userId,
    tool: binding.tool,
    data,
    exp: now + CONFIRMATION_TTL_MS,
  }
  const signed = `${ROUND_VERSION}.${base64url(new TextEncoder().encode(JSON.stringify(payload)))}`
  const signature = await crypto.subtle.sign('HMAC', await keyFor(secret), new TextEncoder().encode(signed))
  return `${signed}.${base64url(new Uint8Array(signature))}`
}

/** The tool's data in a round state handed back, or a refusal (`input_state_invalid`) of anything else. */
export async function openRoundState(
  state: string,
  binding: Omit<ConfirmationBinding, 'argumentsDigest'>,
  secret: string,
  now: number = Date.now(),
): Promise<unknown> {
  const parts = state.split('.')
  const invalid = refusal(
    'ValidationError',
    'The request state was not issued by this gateway for this call, has been altered or has expired; nothing was run. Call the tool again without it to start over.',
    'input_state_invalid',
  )
  if (parts.length !== 3 || parts[0] !== ROUND_VERSION) throw invalid
  const [version, body, signature] = parts as [string, string, string]
  const signatureBytes = fromBase64url(signature)
  const bodyBytes = fromBase64url(body)
  if (signatureBytes === undefined || bodyBytes === undefined) throw invalid
  const valid = await crypto.subtle.verify(
    'HMAC',
    await keyFor(secret),
    signatureBytes,
    new TextEncoder().encode(`${version}.${body}`),
  )
  if (!valid) throw invalid
  const payload = JSON.parse(new TextDecoder().decode(bodyBytes)) as RoundPayload
  if (
    payload.tn !== binding.tenant ||
    payload.u !== binding.userId ||
    payload.tool !== binding.tool ||
    !(payload.exp > now)
  ) {
    throw invalid
  }
  return payload.data
}
