/**
 * Signing keys from the identity provider's JWKS URL, with jose's `createRemoteJWKSet`: one key set per
 * URL in module scope (per isolate), seeded from KV so a cold isolate verifies without a fetch, and written
 * back to KV whenever jose fetched a newer set. Around jose's own cooldown on unknown `kid`s, three rules
 * keep the identity provider's load and outages off the hot path:
 *
 * - one fetch at a time per isolate (jose cannot share an in-flight fetch across requests on Workers);
 * - after a failed fetch, no new attempt for a few seconds;
 * - while a fetch is in flight or failing, the keys already known keep verifying (for up to a day).
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  jwksCache,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWKSCacheInput,
  type JWTVerifyGetKey,
  type RemoteJWKSet,
} from 'jose'
import * as z from 'zod'
import { sha256Hex } from '../digest'

export const JWKS_FETCH_TIMEOUT_MS = 5_000
/** An unknown `kid` refetches the set at most this often (jose's cooldown, counted from the last good fetch). */
export const JWKS_COOLDOWN_MS = 30_000
/** Keys are refetched when this old (the first request after that pays for the fetch). */
export const JWKS_MAX_AGE_MS = 10 * 60_000
/** After a failed fetch, no new attempt for this long. */
export const JWKS_RETRY_AFTER_FAILURE_MS = 10_000
/** While the identity provider is unreachable, keys up to this old still verify (stale-if-error). */
export const JWKS_STALE_MAX_MS = 24 * 60 * 60_000
export const JWKS_KV_TTL_SECONDS = 24 * 60 * 60

/** The versioned KV key (namespace CONFIG) of a JWKS URL's key set; the URL is hashed to bound its length. */
export async function jwksKvKey(jwksUrl: string): Promise<string> {
  return `v1:jwks:${await sha256Hex(jwksUrl)}`
}

/** Where a key set is persisted, and how a request lets the write finish after its response. */
export interface KeyStore {
  kv: KVNamespace
  waitUntil(promise: Promise<unknown>): void
}

export interface JwksKeys {
  resolve: JWTVerifyGetKey
  /** Writes the key set to KV when the verification just done made jose fetch a newer one. */
  persist(): void
}

const keySets = new Map<string, RemoteKeySet>()

export async function jwksKeys(jwksUrl: string, store: KeyStore): Promise<JwksKeys> {
  const set = keySets.get(jwksUrl) ?? (await createKeySet(jwksUrl, store.kv))
  return {
    resolve: set.resolve,
    persist: () => set.persist(store),
  }
}

async function createKeySet(jwksUrl: string, kv: KVNamespace): Promise<RemoteKeySet> {
  const kvKey = await jwksKvKey(jwksUrl)
  const persisted = await readPersisted(kv, kvKey)
  // Concurrent cold requests may each have read KV; the first set registered is the one everyone shares.
  const existing = keySets.get(jwksUrl)
  if (existing !== undefined) return existing
  const set = new RemoteKeySet(jwksUrl, kvKey, persisted)
  keySets.set(jwksUrl, set)
  return set
}

const PersistedKeySetSchema = z.object({
  uat: z.number().finite(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
})

/** The persisted set, or an empty cache when there is none or it is unreadable (a miss, not a failure). */
async function readPersisted(kv: KVNamespace, kvKey: string): Promise<JWKSCacheInput> {
  try {
    const parsed = PersistedKeySetSchema.safeParse(await kv.get(kvKey, 'json'))
    return parsed.success ? { uat: parsed.data.uat, jwks: parsed.data.jwks as JSONWebKeySet } : {}
  } catch {
    return {}
  }
}

/** Raised by the fetch guard instead of fetching; the caller falls back to the keys it knows. */
class JwksFetchSkipped extends Error {
  override readonly name = 'JwksFetchSkipped'
}

class RemoteKeySet {
  readonly #kvKey: string
  /** jose writes every successfully fetched set here (`jwks`, `uat`); it is what KV persists. */
  readonly #cache: JWKSCacheInput
  readonly #remote: RemoteJWKSet
  #persistedUat: number | undefined
  #fetchStartedAtMs: number | undefined
  #lastFailureAtMs: number | undefined
  #known: { uat: number; resolve: JWTVerifyGetKey } | undefined

  constructor(jwksUrl: string, kvKey: string, cache: JWKSCacheInput) {
    this.#kvKey = kvKey
    this.#cache = cache
    this.#persistedUat = 'uat' in cache ? cache.uat : undefined
    this.#remote = createRemoteJWKSet(new URL(jwksUrl), {
      timeoutDuration: JWKS_FETCH_TIMEOUT_MS,
      cooldownDuration: JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_MAX_AGE_MS,
      [jwksCache]: cache,
      [customFetch]: (url, init) => this.#guardedFetch(url, init),
    })
  }

  /** jose's resolver, falling back to the keys already known when the set cannot be fetched right now. */
  readonly resolve: JWTVerifyGetKey = async (header, token) => {
    try {
      return await this.#remote(header, token)
    } catch (err) {
      if (!isKeySetUnavailable(err)) throw err
      const known = this.#knownKeys()
      if (known === undefined) throw err
      return known(header, token)
    }
  }

  persist(store: KeyStore): void {
    const uat = 'uat' in this.#cache ? this.#cache.uat : undefined
    if (uat === undefined || uat === this.#persistedUat) return
    this.#persistedUat = uat
    const value = JSON.stringify({ uat, jwks: this.#cache.jwks })
    // A failed write only costs another isolate one fetch; it must not fail the request.
    store.waitUntil(
      store.kv.put(this.#kvKey, value, { expirationTtl: JWKS_KV_TTL_SECONDS }).catch(() => undefined),
    )
  }

  /** The last successfully fetched (or persisted) set while it is younger than JWKS_STALE_MAX_MS. */
  #knownKeys(): JWTVerifyGetKey | undefined {
    if (!('jwks' in this.#cache)) return undefined
    const { jwks, uat } = this.#cache
    if (Date.now() - uat > JWKS_STALE_MAX_MS) return undefined
    if (this.#known?.uat !== uat) {
      try {
        this.#known = { uat, resolve: createLocalJWKSet(jwks) }
      } catch {
        return undefined
      }
    }
    return this.#known.resolve
  }

  readonly #guardedFetch: FetchImplementation = async (url, init) => {
    const now = Date.now()
    if (this.#lastFailureAtMs !== undefined && now - this.#lastFailureAtMs < JWKS_RETRY_AFTER_FAILURE_MS) {
      throw new JwksFetchSkipped('the previous JWKS fetch failed moments ago')
    }
    // A fetch abandoned by a cancelled request never settles; after the timeout it no longer counts.
    const inFlight =
      this.#fetchStartedAtMs !== undefined && now - this.#fetchStartedAtMs < JWKS_FETCH_TIMEOUT_MS
    if (inFlight && this.#knownKeys() !== undefined) {
      throw new JwksFetchSkipped('a JWKS fetch is already in flight')
    }
    this.#fetchStartedAtMs = now
    try {
      const response = await fetch(url, init)
      this.#lastFailureAtMs = response.status === 200 ? undefined : Date.now()
      return response
    } catch (err) {
      this.#lastFailureAtMs = Date.now()
      throw err
    } finally {
      this.#fetchStartedAtMs = undefined
    }
  }
}

/** True when the set could not be (re)fetched, as opposed to the token naming a key the set lacks. */
function isKeySetUnavailable(err: unknown): boolean {
  if (!(err instanceof errors.JOSEError)) return true
  return (
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    err.code === errors.JOSEError.code
  )
}
