/**
 * The RFC 6750 challenges of the MCP authorization spec (2025-11-25): a 401 names the protected-resource
 * metadata (RFC 9728) and the scopes to ask for; missing scopes are a 403 with `insufficient_scope`. The
 * wire text is the same whichever verification check failed (the reason goes to the logs); only a token
 * that verified but names its caller with a control character is told which claim.
 */
import { GatewayError } from '../errors'

export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource'
/** The path-inserted form for the resource at `/mcp` (RFC 9728 §3.1). */
export const MCP_RESOURCE_METADATA_PATH = `${RESOURCE_METADATA_PATH}/mcp`

export function resourceMetadataUrl(requestUrl: string): string {
  return new URL(MCP_RESOURCE_METADATA_PATH, requestUrl).href
}

/** 401: no bearer token, or one that failed verification (`tokenPresented`: RFC 6750 `invalid_token`). */
export function authenticationRequired(
  requestUrl: string,
  requiredScopes: readonly string[],
  tokenPresented: boolean,
): GatewayError {
  const metadata = resourceMetadataUrl(requestUrl)
  const challenge = bearerChallenge({
    error: tokenPresented ? 'invalid_token' : undefined,
    resource_metadata: metadata,
    scope: scopeParameter(requiredScopes),
  })
  return new GatewayError(
    'AuthenticationError',
    tokenPresented
      ? 'The bearer token is invalid or expired. Get a new token from the authorization server.'
      : 'Authentication required: send a bearer token in the Authorization header.',
    { details: { resource_metadata: metadata }, headers: { 'WWW-Authenticate': challenge } },
  )
}

/**
 * 401: a token that verified but names its caller with a control character (NUL, a line break…). No
 * identity can hold one, so the token is unusable (RFC 6750 `invalid_token`); unlike the other 401s the
 * answer says which claim and which character, since the caller already holds the token and only the
 * identity provider can fix it. The claim's value is never repeated.
 */
export function controlCharacterInClaim(
  requestUrl: string,
  requiredScopes: readonly string[],
  claim: string,
  character: string,
): GatewayError {
  const metadata = resourceMetadataUrl(requestUrl)
  const challenge = bearerChallenge({
    error: 'invalid_token',
    error_description: `The ${claim} claim contains a control character`,
    resource_metadata: metadata,
    scope: scopeParameter(requiredScopes),
  })
  return new GatewayError(
    'AuthenticationError',
    `The bearer token's "${claim}" claim contains a control character (${character}), which no user name may hold. ` +
      'Get a token whose claims name the user in plain text from the identity provider.',
    {
      details: { reason: 'control_character_in_claim', claim, character, resource_metadata: metadata },
      headers: { 'WWW-Authenticate': challenge },
    },
  )
}

/** 403: a valid token without every scope the gateway requires; the client may step up. */
export function insufficientScope(requestUrl: string, requiredScopes: readonly string[]): GatewayError {
  const metadata = resourceMetadataUrl(requestUrl)
  const scope = scopeParameter(requiredScopes)
  const challenge = bearerChallenge({
    error: 'insufficient_scope',
    scope,
    resource_metadata: metadata,
    error_description: 'The token lacks a required scope',
  })
  return new GatewayError(
    'PermissionDeniedError',
    `The bearer token does not carry the scopes this gateway requires (${scope}). Request a token with them.`,
    {
      details: { required_scopes: [...requiredScopes], resource_metadata: metadata },
      headers: { 'WWW-Authenticate': challenge },
    },
  )
}

function scopeParameter(scopes: readonly string[]): string | undefined {
  return scopes.length > 0 ? scopes.join(' ') : undefined
}

/** `Bearer name="value", …` with each value a quoted-string (RFC 7235 §2.1). */
function bearerChallenge(params: Record<string, string | undefined>): string {
  const quoted = (value: string): string => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
  const pairs = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${quoted(value)}`)
  return `Bearer ${pairs.join(', ')}`
}
