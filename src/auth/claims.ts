/**
 * What a verified token says about its caller: the scopes it grants, the Superset user it names and the
 * tenant it belongs to. Identity providers disagree on spelling, so each reader accepts the common forms.
 */
import type { JWTPayload } from 'jose'

/**
 * Scopes from `scope` (RFC 8693/9068: one space-separated string) and `scp` (Okta: an array; Microsoft
 * Entra ID: a space-separated string), in either form.
 */
export function grantedScopes(claims: JWTPayload): string[] {
  const scopes = new Set<string>()
  for (const value of [claims.scope, claims.scp]) {
    const words = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : []
    for (const word of words) if (typeof word === 'string' && word !== '') scopes.add(word)
  }
  return [...scopes]
}

export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  return required.filter((scope) => !granted.includes(scope))
}

/** A claim that names the caller but holds a character no identity may contain, and which character. */
export interface ControlCharacterClaim {
  claim: string
  /** The first such character, as `U+0000`: the value itself is never repeated back. */
  character: string
}

/**
 * C0 controls (NUL included), DEL, C1 controls, and the Unicode line and paragraph separators. None belongs
 * in a name; NUL cannot even be stored in Postgres text, so a username holding it would fail in the database.
 */
export function isControlCharacter(codePoint: number): boolean {
  return (
    codePoint <= 0x1f ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029
  )
}

/**
 * The first of `claimNames` (the username claims, the tenant claim) or `sub` whose string value holds a
 * control character. Checked on every claim that could identify the caller, used or not, so such a token
 * is refused whichever claim the configuration reads.
 */
export function controlCharacterClaim(
  claims: JWTPayload,
  claimNames: readonly string[],
): ControlCharacterClaim | undefined {
  for (const claim of new Set([...claimNames, 'sub'])) {
    const value = claims[claim]
    if (typeof value !== 'string') continue
    for (const character of value) {
      const codePoint = character.codePointAt(0) ?? 0
      if (isControlCharacter(codePoint)) {
        return { claim, character: `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}` }
      }
    }
  }
  return undefined
}

// ab_user.email is the longest of the columns a username claim is matched against.
const MAX_USERNAME_LENGTH = 320

/** The value of the first configured claim that holds a usable name, in the configured order. */
export function usernameFrom(claims: JWTPayload, claimNames: readonly string[]): string | undefined {
  for (const name of claimNames) {
    const value = claims[name]
    if (typeof value === 'string') {
      const trimmed = value.trim()
      if (trimmed !== '' && trimmed.length <= MAX_USERNAME_LENGTH) return trimmed
    }
  }
  return undefined
}

// Tenants name KV keys and rate-limiter objects (`<tenant>:<user>`), so their alphabet is kept small.
const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export type TenantClaim = { ok: true; tenant: string | undefined } | { ok: false }

/** The tenant the token names (undefined when it names none), or not ok when the claim is unusable. */
export function tenantFrom(claims: JWTPayload, claimName: string): TenantClaim {
  const value = claims[claimName]
  if (value === undefined || value === null || value === '') return { ok: true, tenant: undefined }
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value
  return typeof text === 'string' && TENANT_PATTERN.test(text) ? { ok: true, tenant: text } : { ok: false }
}
