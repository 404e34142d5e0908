/**
 * Who is calling. With MCP_AUTH_ENABLED=true the caller proves it with a bearer JWT (the gateway is an
 * OAuth 2.1 resource server, MCP authorization spec 2025-11-25) and the token's claims name the Superset
 * user; with auth disabled every request acts as MCP_DEV_USERNAME (development only). The token itself is
 * never logged and never forwarded.
 */
import type { JWTPayload } from 'jose'
import type { Config, DevelopmentAuthConfig, JwtAuthConfig } from '../config'
import { describeError, GatewayError } from '../errors'
import type { Logger } from '../observability'
import type { UserLookup } from '../superset'
import { readBearerToken } from './bearer'
import { authenticationRequired, controlCharacterInClaim, insufficientScope } from './challenge'
import { controlCharacterClaim, grantedScopes, missingScopes, tenantFrom, usernameFrom } from './claims'
import { verifyAccessToken } from './verify'

export const DEFAULT_TENANT = 'default'

/** Who is calling, as authentication established it (before the Superset user is looked up). */
export interface Identity {
  lookup: UserLookup
  tenant: string
  /** Where the identity came from, for logs. */
  method: 'dev_username' | 'jwt'
  scopes: string[]
}

/** What authentication reads of a request, and where it keeps and logs what it learns. */
export interface AuthRequest {
  /** The Authorization header, as sent. */
  authorization: string | undefined
  url: string
  /** Where fetched key sets are kept between isolates (the CONFIG namespace). */
  kv: KVNamespace
  waitUntil(promise: Promise<unknown>): void
  log: Logger
}

/** The caller's identity, or the 401/403 GatewayError (with its challenge) that refuses the request. */
export async function identify(request: AuthRequest, config: Config): Promise<Identity> {
  if (!config.auth.enabled) return developmentIdentity(request.log, config.auth, config.environment)
  const claims = await verifiedClaims(request, config.auth)
  return identityFromClaims(claims, config.auth, request.log, request.url)
}

/** The claims of the request's bearer token once it passed every check; otherwise a 401 with a challenge. */
async function verifiedClaims(request: AuthRequest, auth: JwtAuthConfig): Promise<JWTPayload> {
  const { log } = request
  const bearer = readBearerToken(request.authorization)
  if (!bearer.ok) {
    log.info('auth_rejected', { reason: bearer.reason })
    throw authenticationRequired(request.url, auth.requiredScopes, bearer.reason !== 'missing_token')
  }
  const verified = await verifyAccessToken(bearer.token, auth, {
    kv: request.kv,
    waitUntil: request.waitUntil,
  })
  if (!verified.ok) {
    const fields = {
      reason: verified.reason,
      ...(verified.cause === undefined ? {} : describeError(verified.cause)),
    }
    // An unreachable identity provider is the operator's problem, not the caller's.
    if (verified.reason === 'keys_unavailable') log.warn('auth_keys_unavailable', fields)
    else log.info('auth_rejected', fields)
    throw authenticationRequired(request.url, auth.requiredScopes, true)
  }
  return verified.claims
}

/**
 * Scopes, the Superset user and the tenant a verified token names: a 401 when a claim naming the caller
 * holds a control character (the token is unusable), a 403 when the scopes, the user or the tenant are.
 */
function identityFromClaims(
  claims: JWTPayload,
  auth: JwtAuthConfig,
  log: Logger,
  requestUrl: string,
): Identity {
  const unsafe = controlCharacterClaim(claims, [...auth.usernameClaims, auth.tenantClaim])
  if (unsafe !== undefined) {
    log.info('auth_rejected', { reason: 'control_character_in_claim', ...unsafe })
    throw controlCharacterInClaim(requestUrl, auth.requiredScopes, unsafe.claim, unsafe.character)
  }
  const scopes = grantedScopes(claims)
  const missing = missingScopes(auth.requiredScopes, scopes)
  if (missing.length > 0) {
    log.info('auth_rejected', { reason: 'insufficient_scope', missing_scopes: missing })
    throw insufficientScope(requestUrl, auth.requiredScopes)
  }
  const username = usernameFrom(claims, auth.usernameClaims)
  if (username === undefined) {
    log.info('auth_rejected', { reason: 'no_username_claim', claims_checked: auth.usernameClaims })
    throw new GatewayError(
      'PermissionDeniedError',
      `The token names no user: none of the claims ${auth.usernameClaims.join(', ')} holds a username or email.`,
      { details: { reason: 'no_username_claim', claims_checked: auth.usernameClaims } },
    )
  }
  const tenant = tenantFrom(claims, auth.tenantClaim)
  if (!tenant.ok) {
    log.info('auth_rejected', { reason: 'invalid_tenant_claim', claim: auth.tenantClaim })
    throw new GatewayError(
      'PermissionDeniedError',
      `The token's "${auth.tenantClaim}" claim is not a usable tenant name (letters, digits, ".", "_", "-"; at most 64).`,
      { details: { reason: 'invalid_tenant_claim', claim: auth.tenantClaim } },
    )
  }
  return {
    lookup: { usernameOrEmail: username },
    tenant: tenant.tenant ?? DEFAULT_TENANT,
    method: 'jwt',
    scopes,
  }
}

function developmentIdentity(log: Logger, auth: DevelopmentAuthConfig, environment: string): Identity {
  if (environment === 'production') {
    log.warn('auth_disabled_in_production', {
      message:
        'MCP_AUTH_ENABLED=false in production: this request acts as MCP_DEV_USERNAME without authentication.',
    })
  }
  return {
    lookup: { username: auth.devUsername },
    tenant: DEFAULT_TENANT,
    method: 'dev_username',
    scopes: [],
  }
}
