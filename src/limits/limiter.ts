/**
 * The Limiter the dispatcher calls before every tool call: the tenant's limit documents say which limits
 * apply, and one RPC to the caller's RateLimiter Durable Object (`<tenant>:<user id>`) counts the call
 * against all of them at once. If the object cannot be reached, MCP_RATE_LIMIT_FAIL_MODE decides.
 */
import type { Config } from '../config'
import type { Admission, CallSubject, Limiter } from './ports'
import { describeError, GatewayError } from '../errors'
import { type Logger } from '../observability'
import { countLimitEvent } from './counters'
import { confirmOverride, limitsForCall } from '../limit-documents'
import {
  checkedLimits,
  retryAfterSeconds,
  retryPhrase,
  toAdmission,
  type CheckedLimit,
  type LimitScope,
} from './headers'
import { documentStoreFor, type LimitDocumentStore } from './store'
import type { CallDecision } from './rate-limiter'

/** A limiter RPC slower than this counts as unreachable: a stuck object must not stall every call. */
export const LIMITER_TIMEOUT_MS = 3_000
/** What a fail-closed refusal asks the caller to wait. */
const UNREACHABLE_RETRY_MS = 5_000

export interface LimiterOptions {
  env: Pick<Env, 'RATE_LIMITER' | 'CONFIG'>
  config: Pick<Config, 'limits'>
  log: Logger
  waitUntil: (promise: Promise<unknown>) => void
  /** The limit documents; by default the isolate's shared store for env.CONFIG. */
  documents?: LimitDocumentStore
  /** Default LIMITER_TIMEOUT_MS. */
  timeoutMs?: number
}

export function createLimiter(options: LimiterOptions): Limiter {
  const { env, config, log, waitUntil } = options
  const documents = options.documents ?? documentStoreFor(env.CONFIG)
  const timeoutMs = options.timeoutMs ?? LIMITER_TIMEOUT_MS
  return {
    admit: async (call: CallSubject): Promise<Admission> => {
      const tenantDocuments = await documents.documentsFor(call.tenant, { log, waitUntil })
      const checked = checkedLimits(limitsForCall(tenantDocuments, call.username, call.tool), call.tool)
      const confirm = confirmOverride(tenantDocuments, call.tool)
      const settings = confirm === undefined ? {} : { confirm }
      if (checked.length === 0) return { allowed: true, headers: {}, ...settings }
      const stub = env.RATE_LIMITER.getByName(`${call.tenant}:${call.userId}`)
      let decision: CallDecision
      try {
        decision = await withTimeout(
          stub.consume(checked.map((limit) => limit.bucket)) as Promise<CallDecision>,
          timeoutMs,
        )
      } catch (err) {
        return { ...unreachable(call, err, config.limits.failMode, log), ...settings }
      }
      if (!decision.allowed) countLimitEvent(`refused_${scopeOf(decision.violated.key, checked)}`)
      return {
        ...toAdmission(decision, checked, call.tool),
        recentWrites: decision.recentWrites,
        ...settings,
      }
    },
    noteWrites: async (call, kinds) => {
      try {
        await withTimeout(
          env.RATE_LIMITER.getByName(`${call.tenant}:${call.userId}`).noteWrites(kinds),
          timeoutMs,
        )
      } catch (err) {
        log.warn('rate_limiter_note_writes_failed', {
          tenant: call.tenant,
          user_id: call.userId,
          ...describeError(err),
        })
      }
    },
    consumeNonce: async (call, nonce, expiresAt) => {
      const stub = env.RATE_LIMITER.getByName(`${call.tenant}:${call.userId}`)
      return withTimeout(stub.consumeNonce(nonce, expiresAt), timeoutMs)
    },
  }
}

function scopeOf(bucketKey: string, checked: readonly CheckedLimit[]): LimitScope {
  return checked.find((limit) => limit.bucket.key === bucketKey)?.scope ?? 'tool'
}

function unreachable(call: CallSubject, err: unknown, failMode: 'open' | 'closed', log: Logger): Admission {
  log.error('rate_limiter_unreachable', {
    tenant: call.tenant,
    user_id: call.userId,
    tool: call.tool,
    fail_mode: failMode,
    ...describeError(err),
  })
  if (failMode === 'open') {
    countLimitEvent('limiter_unreachable_allowed')
    return { allowed: true, headers: {} }
  }
  countLimitEvent('limiter_unreachable_refused')
  const seconds = retryAfterSeconds(UNREACHABLE_RETRY_MS)
  const headers = { 'Retry-After': String(seconds) }
  const error = new GatewayError(
    'RateLimitExceeded',
    `The rate limiter is unavailable and this gateway refuses calls it cannot count. ${retryPhrase(seconds)}`,
    {
      details: { retry_after_seconds: seconds, reason: 'limiter_unavailable', tool: call.tool },
      headers,
      cause: err,
    },
  )
  return { allowed: false, error, headers }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer)
  })
}
