/**
 * The pure parts of authentication, case by case: reading the Authorization header, the claims a token
 * maps to an identity, the challenge syntax, and the bounds of the verified-token cache.
 */
import { describe, expect, it } from 'vitest'
import { MAX_TOKEN_BYTES, readBearerToken } from '../../src/auth/bearer'
import { authenticationRequired, insufficientScope } from '../../src/auth/challenge'
import {
  controlCharacterClaim,
  grantedScopes,
  missingScopes,
  tenantFrom,
  usernameFrom,
} from '../../src/auth/claims'
import { VerifiedTokenCache } from '../../src/auth/token-cache'

describe('readBearerToken', () => {
  it('reads a bearer token, the scheme in any case', () => {
    expect(readBearerToken('Bearer abc.def.ghi')).toEqual({ ok: true, token: 'abc.def.ghi' })
    expect(readBearerToken('bearer abc.def-_~+/ghi==')).toEqual({ ok: true, token: 'abc.def-_~+/ghi==' })
  })

  it('tells a missing token from a malformed or oversized one', () => {
    expect(readBearerToken(undefined)).toEqual({ ok: false, reason: 'missing_token' })
    expect(readBearerToken('   ')).toEqual({ ok: false, reason: 'missing_token' })
    expect(readBearerToken('Basic dXNlcjpwYXNz')).toEqual({ ok: false, reason: 'missing_token' })
    expect(readBearerToken('Bearer')).toEqual({ ok: false, reason: 'malformed_header' })
    expect(readBearerToken('Bearer a b')).toEqual({ ok: false, reason: 'malformed_header' })
    expect(readBearerToken('Bearer "quoted"')).toEqual({ ok: false, reason: 'malformed_header' })
    expect(readBearerToken(`Bearer ${'a'.repeat(MAX_TOKEN_BYTES + 1)}`)).toEqual({
      ok: false,
      reason: 'token_too_large',
    })
    expect(readBearerToken(`Bearer ${'a'.repeat(MAX_TOKEN_BYTES)}`).ok).toBe(true)
  })
})

describe('claims', () => {
  it('collects scopes from `scope` and `scp`, as strings or arrays, without duplicates', () => {
    expect(grantedScopes({ scope: 'openid  mcp:tools' })).toEqual(['openid', 'mcp:tools'])
    expect(grantedScopes({ scp: ['mcp:tools', 'mcp:read'] })).toEqual(['mcp:tools', 'mcp:read'])
    expect(grantedScopes({ scope: 'a b', scp: 'b c' })).toEqual(['a', 'b', 'c'])
    expect(grantedScopes({ scope: 42, scp: [1, 'x'] })).toEqual(['x'])
    expect(grantedScopes({})).toEqual([])
    expect(missingScopes(['a', 'b'], ['b'])).toEqual(['a'])
  })

  it('takes the username from the first configured claim holding a non-empty string', () => {
    const order = ['preferred_username', 'username', 'email', 'sub']
    expect(usernameFrom({ preferred_username: 'bob', sub: 'x' }, order)).toBe('bob')
    expect(usernameFrom({ preferred_username: '  ', email: 'kim.lee@example.com' }, order)).toBe(
      'kim.lee@example.com',
    )
    expect(usernameFrom({ username: 42, sub: 'auth0|1' }, order)).toBe('auth0|1')
    expect(usernameFrom({ email: 'a@b.c' }, ['upn'])).toBeUndefined()
  })

  it('finds the first identity claim (or sub) holding a control character, naming the character only', () => {
    const names = ['preferred_username', 'email', 'tenant']
    expect(
      controlCharacterClaim({ preferred_username: 'bob', sub: 'x', tenant: 'acme' }, names),
    ).toBeUndefined()
    expect(controlCharacterClaim({ preferred_username: 'b\u0000b' }, names)).toEqual({
      claim: 'preferred_username',
      character: 'U+0000',
    })
    expect(controlCharacterClaim({ preferred_username: 'bob', email: 'a@b.c\u0085' }, names)).toEqual({
      claim: 'email',
      character: 'U+0085',
    })
    expect(controlCharacterClaim({ sub: '\u2029' }, names)).toEqual({ claim: 'sub', character: 'U+2029' })
    expect(controlCharacterClaim({ tenant: 'acme\u007f' }, names)?.claim).toBe('tenant')
    // Only string claims the gateway could read as a name; other claims and plain Unicode pass.
    expect(controlCharacterClaim({ name: 'Bob\nB', tenant: 7, email: ['x\u0000'] }, names)).toBeUndefined()
    expect(controlCharacterClaim({ preferred_username: 'zoë δ\u00a0\u200b😀' }, names)).toBeUndefined()
  })

  it('reads the tenant claim: absent → none, a plain name → it, anything else → refused', () => {
    expect(tenantFrom({}, 'tenant')).toEqual({ ok: true, tenant: undefined })
    expect(tenantFrom({ tenant: '' }, 'tenant')).toEqual({ ok: true, tenant: undefined })
    expect(tenantFrom({ tid: '72f988bf-86f1-41af-91ab-2d7cd011db47' }, 'tid')).toEqual({
      ok: true,
      tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    })
    expect(tenantFrom({ org: 42 }, 'org')).toEqual({ ok: true, tenant: '42' })
    for (const bad of ['acme:admin', 'a/b', '-lead', 'x'.repeat(65), ['acme'], { id: 1 }, true]) {
      expect(tenantFrom({ tenant: bad }, 'tenant')).toEqual({ ok: false })
    }
  })
})

describe('challenges', () => {
  it('quotes challenge parameters (RFC 7235 quoted-string)', () => {
    const err = authenticationRequired('https://gw.example/tools/x', ['odd"scope', 'back\\slash'], true)
    expect(err.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", resource_metadata="https://gw.example/.well-known/oauth-protected-resource/mcp", scope="odd\\"scope back\\\\slash"',
    )
    expect(err.status).toBe(401)
  })

  it('makes insufficient scope a 403 PermissionDeniedError', () => {
    const err = insufficientScope('https://gw.example/mcp', ['mcp:tools'])
    expect(err.status).toBe(403)
    expect(err.type).toBe('PermissionDeniedError')
    expect(err.headers['WWW-Authenticate']).toMatch(/^Bearer error="insufficient_scope", scope="mcp:tools"/)
  })
})

describe('VerifiedTokenCache', () => {
  it('forgets an entry once it expires', () => {
    const cache = new VerifiedTokenCache(10)
    cache.set('k', { sub: 'bob' }, 1_000)
    expect(cache.get('k', 999)).toEqual({ sub: 'bob' })
    expect(cache.get('k', 1_000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('stays within its bound, evicting the least recently used entry first', () => {
    const cache = new VerifiedTokenCache(3)
    for (const key of ['a', 'b', 'c']) cache.set(key, { sub: key }, 10_000)
    expect(cache.get('a', 0)).toEqual({ sub: 'a' })
    cache.set('d', { sub: 'd' }, 10_000)
    expect(cache.size).toBe(3)
    expect(cache.get('b', 0)).toBeUndefined()
    expect(['a', 'c', 'd'].map((key) => cache.get(key, 0)?.sub)).toEqual(['a', 'c', 'd'])
  })
})
