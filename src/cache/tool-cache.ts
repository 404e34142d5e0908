/**
 * Catalog answers served from isolate memory (seconds) → KV `CACHE` (the tool's TTL, default 300 s) →
 * Postgres, never across permission boundaries: the key holds the tenant, a fingerprint of the caller's
 * effective permissions (role ids, every permission pair, the access-relevant configuration) and, where
 * ownership changes the answer, the user id. Two users with identical permissions share entries; a user
 * never reads an entry computed for other permissions.
 *
 * Freshness: a write through the gateway bumps the generation of what it changed (charts, dashboards,
 * datasets, …) — part of every key that depends on it — in this isolate at once and in KV for the
 * others; the writer's own reads bypass the cache for WRITE_MEMORY_MS (the limiter object remembers
 * their writes). A change made in Superset itself (its UI or API) reaches the key through the external
 * generations the request passes in (src/cache/external-changes.ts): the kinds the answer depends on and
 * 'permissions', which every answer depends on. A KV failure, a corrupt or outdated entry is a miss,
 * never an error.
 */
import { describeError } from '../errors'
import { canonicalJson, sha256Hex } from '../digest'
import type { Config } from '../config'
import type { CacheStatus, Logger } from '../observability'
import { EXTERNAL_KINDS, type ExternalGenerations, type Principal } from '../superset'
import type { CachePolicy } from '../tools'
import { cacheKeys } from './keys'
import { MemoryCache } from './memory'

export interface CacheLookup {
  status: CacheStatus
  /** The cached answer on a hit. */
  value?: unknown
  /** On a miss: stores the fresh answer (after the response). */
  store?: (value: unknown) => void
  /**
   * How much longer this cache would answer with the same value, in ms: the entry's remaining TTL on a
   * hit, the whole TTL for an answer about to be stored, and never longer than the request's view of
   * Superset's changes is used (`CacheRequest.changes.freshForMs`); absent when nothing is cached. An
   * upper bound: a write through the gateway to what the answer depends on ends it earlier.
   */
  ttlMs?: number
}

export interface CacheRequest {
  tool: string
  policy: CachePolicy | undefined
  /** The tool's request after validation and defaults (normalised arguments). */
  request: Record<string, unknown>
  principal: Principal
  /** Kind → time of the caller's own recent writes; undefined when unknown. */
  recentWrites: Record<string, number> | undefined
  /**
   * What the request knows of changes made in Superset's tables (src/cache/external-changes.ts): their
   * generations, part of the key, and how much longer it uses them without reading again.
   */
  changes?: { generations: ExternalGenerations; freshForMs: number }
}

/**
 * The kinds the gateway keeps generations of: what its writes change (src/tools CallEffects.changed),
 * and 'permissions', part of every answer's key (POST /admin/cache/invalidate bumps it to drop them all).
 * The same kinds as the changes read from Superset's own tables (src/superset/change-feed.ts).
 */
export const CACHE_KINDS = EXTERNAL_KINDS
export type CacheKind = (typeof CACHE_KINDS)[number]

/** KV's smallest expirationTtl. */
const KV_MIN_TTL_SECONDS = 60
const MEMORY_TTL_MS = 10_000
const MEMORY_ENTRIES = 500
const GENERATION_CHECK_MS = 5_000
/** KV takes one write per key per second; writes closer together are skipped (the newer value is equivalent). */
const KV_WRITE_GAP_MS = 1_000
const GENERATION_TTL_SECONDS = 7 * 86_400
const ENTRY_FORMAT = 1
/** Request flags that steer the cache and are not part of the question. */
const CACHE_FLAGS = ['use_cache', 'force_refresh', 'refresh_metadata', 'cache_timeout']

interface StoredEntry {
  format: number
  expiresAt: number
  value: unknown
}

// Isolate memory: answers (with when their entry expires), generations and recent KV writes. Module
// scope holds caches only.
const answers = new MemoryCache<{ value: unknown; expiresAt: number }>(MEMORY_ENTRIES)
const generations = new Map<string, { value: string; checkedAt: number }>()
const recentKvWrites = new Map<string, number>()
const fingerprints = new WeakMap<Principal, Promise<string>>()
const configFingerprints = new WeakMap<Config, Promise<string>>()

export interface ToolCacheOptions {
  kv: KVNamespace
  config: Config
  log: Logger
  waitUntil: (promise: Promise<unknown>) => void
  now?: () => number
}

export interface ToolCache {
  lookup(request: CacheRequest): Promise<CacheLookup>
  /** After a successful write: the kinds it changed are invalidated for everyone. */
  invalidate(tenant: string, kinds: readonly string[]): void
}

export function createToolCache(options: ToolCacheOptions): ToolCache {
  const { kv, config, log, waitUntil } = options
  const now = options.now ?? Date.now
  const safely = async <T>(what: string, work: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work()
    } catch (err) {
      log.warn('cache_kv_failed', { operation: what, ...describeError(err) })
      return fallback
    }
  }

  const generationOf = async (tenant: string, kind: string): Promise<string> => {
    const key = cacheKeys.generation(tenant, kind)
    const known = generations.get(key)
    if (known !== undefined && now() - known.checkedAt < GENERATION_CHECK_MS) return known.value
    const stored = await safely('read_generation', () => kv.get(key, { cacheTtl: 30 }), null)
    // Keep the newer of what this isolate knows and what KV says (KV may lag behind a local write).
    const value = maxGeneration(known?.value, stored ?? '0')
    generations.set(key, { value, checkedAt: now() })
    return value
  }

  const putIfDue = (key: string, value: string, ttlSeconds: number): void => {
    const at = now()
    if ((recentKvWrites.get(key) ?? 0) > at - KV_WRITE_GAP_MS) return
    recentKvWrites.set(key, at)
    if (recentKvWrites.size > MEMORY_ENTRIES) recentKvWrites.clear()
    waitUntil(
      safely(
        'write',
        () => kv.put(key, value, { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, ttlSeconds) }),
        undefined,
      ),
    )
  }

  return {
    lookup: async (request) => {
      const { policy } = request
      if (!config.cache.enabled || policy === undefined) return { status: 'bypass' }
      const wantsFresh = request.request.force_refresh === true
      if (request.request.use_cache === false) return { status: 'bypass' }
      // The caller's own recent writes (or not knowing about them) mean cached answers may be stale for them.
      const ownWrite =
        request.recentWrites === undefined ||
        policy.dependsOn.some((kind) => request.recentWrites?.[kind] !== undefined)
      // Nothing would be read or stored: skip the key (a digest and the generation reads).
      if (ownWrite) return { status: 'bypass' }
      const ttlMs = (policy.ttlSeconds ?? config.cache.ttlSeconds) * 1000
      const freshForMs = request.changes?.freshForMs ?? Number.POSITIVE_INFINITY
      const kinds = [...policy.dependsOn, 'permissions']
      const key = await entryKey(
        request,
        policy,
        await configFingerprint(config),
        await Promise.all(kinds.map((kind) => generationOf(request.principal.tenant, kind))),
        await externalPart(kinds, request.changes?.generations),
      )
      const store = (value: unknown): void => {
        const expiresAt = now() + ttlMs
        answers.set(key, { value, expiresAt }, Math.min(expiresAt, now() + MEMORY_TTL_MS))
        const entry: StoredEntry = { format: ENTRY_FORMAT, expiresAt, value }
        putIfDue(key, JSON.stringify(entry), Math.ceil(ttlMs / 1000))
      }
      if (wantsFresh) return { status: 'bypass', store, ttlMs: Math.min(ttlMs, freshForMs) }
      const hit = (entry: { value: unknown; expiresAt: number }): CacheLookup => ({
        status: 'hit',
        value: entry.value,
        ttlMs: Math.min(Math.max(0, entry.expiresAt - now()), freshForMs),
      })
      const remembered = answers.get(key, now())
      if (remembered !== undefined) return hit(remembered)
      const stored = await safely('read', () => kv.get(key, 'text'), null)
      const entry = stored === null ? undefined : readEntry(stored, now(), log)
      if (entry !== undefined) {
        answers.set(key, entry, Math.min(entry.expiresAt, now() + MEMORY_TTL_MS))
        return hit(entry)
      }
      return { status: 'miss', store, ttlMs: Math.min(ttlMs, freshForMs) }
    },
    invalidate: (tenant, kinds) => {
      const at = String(now())
      for (const kind of kinds) {
        const key = cacheKeys.generation(tenant, kind)
        generations.set(key, { value: at, checkedAt: now() })
        putIfDue(key, at, GENERATION_TTL_SECONDS)
      }
    },
  }
}

function maxGeneration(a: string | undefined, b: string): string {
  return a !== undefined && Number(a) > Number(b) ? a : b
}

/** A stored entry's answer and expiry, or undefined when it is corrupt, from another format, or past its TTL. */
function readEntry(
  text: string,
  now: number,
  log: Logger,
): { value: unknown; expiresAt: number } | undefined {
  try {
    const entry = JSON.parse(text) as Partial<StoredEntry>
    if (entry.format !== ENTRY_FORMAT || typeof entry.expiresAt !== 'number' || !('value' in entry))
      return undefined
    return entry.expiresAt > now ? { value: entry.value, expiresAt: entry.expiresAt } : undefined
  } catch (err) {
    log.warn('cache_entry_corrupt', describeError(err))
    return undefined
  }
}

/** The external generations of `kinds`, digested (they can be long fingerprints): `x<digest>`, or nothing. */
async function externalPart(
  kinds: readonly string[],
  generations: ExternalGenerations | undefined,
): Promise<string | undefined> {
  if (generations === undefined) return undefined
  const values = Object.fromEntries(Object.entries(generations).filter(([kind]) => kinds.includes(kind)))
  return `x${(await sha256Hex(canonicalJson(values))).slice(0, 16)}`
}

async function entryKey(
  request: CacheRequest,
  policy: CachePolicy,
  settings: string,
  generationValues: readonly string[],
  external: string | undefined,
): Promise<string> {
  const question = Object.fromEntries(
    Object.entries(request.request).filter(([name]) => !CACHE_FLAGS.includes(name)),
  )
  const [argsHash, fingerprint] = await Promise.all([
    sha256Hex(canonicalJson(question)),
    permissionFingerprint(request.principal),
  ])
  const scope = `${settings}.${fingerprint}${policy.scope === 'user' ? `:u${request.principal.user.id}` : ''}`
  return cacheKeys.toolResult({
    tenant: request.principal.tenant,
    tool: request.tool,
    scope,
    argsHash: argsHash.slice(0, 32),
    generation: [...generationValues, ...(external === undefined ? [] : [external])].join('.') || '0',
  })
}

/** What decides a user's answers: admin-ness, roles (DASHBOARD_RBAC, RLS roles) and every permission pair. */
export function permissionFingerprint(principal: Principal): Promise<string> {
  let fingerprint = fingerprints.get(principal)
  if (fingerprint === undefined) {
    fingerprint = sha256Hex(
      canonicalJson({
        admin: principal.isAdmin,
        roles: principal.roles.map((role) => role.id).sort((a, b) => a - b),
        permissions: principal.permissionKeys,
      }),
    ).then((hash) => hash.slice(0, 32))
    fingerprints.set(principal, fingerprint)
  }
  return fingerprint
}

/** The settings that change answers for the same permissions: access flags, links, the size guard. */
function configFingerprint(config: Config): Promise<string> {
  let fingerprint = configFingerprints.get(config)
  if (fingerprint === undefined) {
    fingerprint = sha256Hex(
      canonicalJson({
        superset: config.superset,
        maxBytes: config.responseMaxBytes,
      }),
    ).then((hash) => hash.slice(0, 12))
    configFingerprints.set(config, fingerprint)
  }
  return fingerprint
}

/** Forgets this isolate's memory (POST /admin/cache/invalidate, tests). */
export function clearMemoryCache(): void {
  answers.clear()
  generations.clear()
  recentKvWrites.clear()
}
