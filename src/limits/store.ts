/**
 * Limit documents from KV, as the Worker reads them: cached in isolate memory for at most 30 s and read
 * with KV's `cacheTtl` of 30 s (its minimum), so an edit takes effect within about a minute. An invalid
 * document never weakens limiting: the last valid one stays in force — from this isolate's memory, or
 * from the copy kept in KV for cold isolates — and the problem is logged and reported by /health.
 */
import { describeError } from '../errors'
import { type Logger } from '../observability'
import {
  FALLBACK_TENANT,
  limitKeys,
  parseLimitDocument,
  type LimitDocument,
  type TenantDocuments,
} from '../limit-documents'

/** How long an isolate trusts a document it read. */
export const DOCUMENT_MAX_AGE_MS = 30_000
/** KV's own edge cache for these reads (the minimum KV accepts). */
export const KV_CACHE_TTL_SECONDS = 30

/** What one request lends the store: its logger and a way to finish KV writes after the response. */
export interface RequestIo {
  log: Logger
  waitUntil(promise: Promise<unknown>): void
}

export interface DocumentState {
  /** When the stored document was read. */
  fetchedAt: number
  /** The document in force for the tenant: the stored one when valid, else the last valid one. */
  inForce: LimitDocument | undefined
  /** Why the stored document is not the one in force (invalid or unreadable); undefined when it is. */
  problem: string | undefined
}

export interface DocumentProblem {
  tenant: string
  problem: string
}

export class LimitDocumentStore {
  private readonly states = new Map<string, DocumentState>()
  private readonly kv: KVNamespace
  private readonly now: () => number

  constructor(kv: KVNamespace, now: () => number = Date.now) {
    this.kv = kv
    this.now = now
  }

  /** The tenant's own document and the fallback (`limits:default`) in force now. */
  async documentsFor(tenant: string, io: RequestIo): Promise<TenantDocuments> {
    const [own, fallback] = await Promise.all([
      this.state(tenant, io),
      tenant === FALLBACK_TENANT ? undefined : this.state(FALLBACK_TENANT, io),
    ])
    return { own: own.inForce, fallback: fallback?.inForce }
  }

  /** The tenant's document state, read again from KV once it is older than DOCUMENT_MAX_AGE_MS. */
  async state(tenant: string, io: RequestIo): Promise<DocumentState> {
    const cached = this.states.get(tenant)
    if (cached !== undefined && this.now() - cached.fetchedAt < DOCUMENT_MAX_AGE_MS) return cached
    const fresh = await this.read(tenant, cached, io)
    this.states.set(tenant, fresh)
    return fresh
  }

  /** Tenants whose stored document was not in force when this isolate read it, within the last 30 s. */
  recentProblems(): DocumentProblem[] {
    const problems: DocumentProblem[] = []
    for (const [tenant, state] of this.states) {
      if (state.problem !== undefined && this.now() - state.fetchedAt < DOCUMENT_MAX_AGE_MS)
        problems.push({ tenant, problem: state.problem })
    }
    return problems
  }

  private async read(
    tenant: string,
    previous: DocumentState | undefined,
    io: RequestIo,
  ): Promise<DocumentState> {
    const fetchedAt = this.now()
    const key = limitKeys.document(tenant)
    let stored: string | null
    let lastValid: string | null
    try {
      ;[stored, lastValid] = await Promise.all([
        this.kv.get(key, { cacheTtl: KV_CACHE_TTL_SECONDS }),
        this.kv.get(limitKeys.lastValid(tenant), { cacheTtl: KV_CACHE_TTL_SECONDS }),
      ])
    } catch (err) {
      io.log.error('limits_document_unreadable', { tenant, key, ...describeError(err) })
      const inForce = previous?.inForce
      return {
        fetchedAt,
        inForce,
        problem: `${key} could not be read from KV; ${keptPhrase(tenant, inForce)}`,
      }
    }
    if (stored === null) {
      if (lastValid !== null) this.write(io, tenant, null)
      return { fetchedAt, inForce: undefined, problem: undefined }
    }
    const parsed = parseLimitDocument(stored)
    if (parsed.ok) {
      if (stored !== lastValid) this.write(io, tenant, stored)
      return { fetchedAt, inForce: parsed.document, problem: undefined }
    }
    const inForce = parsedOrUndefined(lastValid) ?? previous?.inForce
    io.log.warn('limits_document_invalid', {
      tenant,
      key,
      problems: parsed.problems,
      in_force: inForce === undefined ? 'fallback' : 'last valid document',
    })
    return {
      fetchedAt,
      inForce,
      problem: `${key} is invalid (${parsed.problems.join('; ')}); ${keptPhrase(tenant, inForce)}`,
    }
  }

  /** Keeps the last-valid copy in step with the stored document, after the response. */
  private write(io: RequestIo, tenant: string, text: string | null): void {
    const key = limitKeys.lastValid(tenant)
    const operation = text === null ? this.kv.delete(key) : this.kv.put(key, text)
    io.waitUntil(
      operation.catch((err: unknown) =>
        io.log.warn('limits_last_valid_write_failed', { tenant, ...describeError(err) }),
      ),
    )
  }
}

function parsedOrUndefined(text: string | null): LimitDocument | undefined {
  if (text === null) return undefined
  const parsed = parseLimitDocument(text)
  return parsed.ok ? parsed.document : undefined
}

function keptPhrase(tenant: string, inForce: LimitDocument | undefined): string {
  if (inForce !== undefined) return 'the last valid document stays in force'
  return tenant === FALLBACK_TENANT
    ? 'the built-in defaults stay in force'
    : `${limitKeys.document(FALLBACK_TENANT)} and the built-in defaults stay in force`
}

const stores = new WeakMap<KVNamespace, LimitDocumentStore>()

/** The isolate's store for a KV namespace: documents are shared by every request the isolate serves. */
export function documentStoreFor(kv: KVNamespace): LimitDocumentStore {
  let store = stores.get(kv)
  if (store === undefined) {
    store = new LimitDocumentStore(kv)
    stores.set(kv, store)
  }
  return store
}
