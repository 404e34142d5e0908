/**
 * One Durable Object per tenant and user holding all of that user's buckets, so one RPC decides the
 * user-wide limits and the tool's limit together. A Durable Object runs one event at a time and the
 * read-decide-write below is synchronous, so concurrent calls are counted exactly.
 *
 * The same object remembers when its user last changed charts, dashboards or datasets: the answer to
 * every call carries those times, so the user's next reads bypass cached catalog answers everywhere,
 * at no extra round trip (the cache's read-your-writes guarantee).
 *
 * And it holds the nonces of the user's confirmation states that were used (src/confirm), each until the
 * state expires: whichever isolate a confirmed call reaches, the same object decides, one event at a
 * time, so a state runs its call once.
 */
import { DurableObject } from 'cloudflare:workers'
import { decide, emptyAt, prune, type BucketState, type WindowDecision, type WindowLimit } from './window'

const BUCKET_PREFIX = 'bucket:'
const WRITES_KEY = 'writes'
const NONCE_PREFIX = 'nonce:'
/** How long a user's own writes keep their cached reads bypassed: past KV propagation and cache TTLs. */
export const WRITE_MEMORY_MS = 120_000

/** Kind of catalog object (chart, dashboard, …) → when this user last changed one. */
export type RecentWrites = Record<string, number>

export type CallDecision = WindowDecision & { recentWrites: RecentWrites }

/**
 * Cleanup alarms are rounded up to this step and never set sooner than one step ahead, so a busy object
 * moves its alarm at most once a step instead of on every call.
 */
const ALARM_STEP_MS = 60_000

export class RateLimiter extends DurableObject {
  /** Buckets in memory; written through to the object's SQLite storage so eviction keeps the counts. */
  private buckets: Map<string, BucketState> | undefined
  private writes: RecentWrites | undefined
  /** Used confirmation nonces → when their state expires; loaded once, written through. */
  private nonces: Map<string, number> | undefined
  /** The scheduled cleanup alarm as last read or set (null: none); undefined until first read. */
  private alarmAt: number | null | undefined

  private load(): Map<string, BucketState> {
    if (this.buckets === undefined) {
      this.buckets = new Map()
      for (const [key, value] of this.ctx.storage.kv.list<BucketState>({ prefix: BUCKET_PREFIX })) {
        this.buckets.set(key.slice(BUCKET_PREFIX.length), value)
      }
    }
    return this.buckets
  }

  /**
   * Counts one call against `limits` if every one of them has room (all or nothing). `now` is the
   * object's clock unless a test moves time.
   */
  async consume(limits: readonly WindowLimit[], now: number = Date.now()): Promise<CallDecision> {
    const buckets = this.load()
    const { decision, next } = decide(limits, buckets, now)
    for (const [key, state] of next) {
      buckets.set(key, state)
      this.ctx.storage.kv.put(BUCKET_PREFIX + key, state)
    }
    const due = emptyAt(next.values())
    if (due !== undefined) await this.scheduleCleanup(due)
    return { ...decision, recentWrites: this.recentWrites(now) }
  }

  /** Records that the user changed objects of these kinds now. */
  async noteWrites(kinds: readonly string[], now: number = Date.now()): Promise<void> {
    const writes = this.loadWrites()
    for (const kind of kinds) writes[kind] = Math.max(writes[kind] ?? 0, now)
    this.ctx.storage.kv.put(WRITES_KEY, writes)
    await this.scheduleCleanup(now + WRITE_MEMORY_MS)
  }

  /**
   * Marks a confirmation state's nonce used: true the first time, false on every later call (a replay)
   * and for a state already expired. Remembered until `expiresAt`, after which the state is refused for
   * its age anyway.
   */
  async consumeNonce(nonce: string, expiresAt: number, now: number = Date.now()): Promise<boolean> {
    if (expiresAt <= now) return false
    const nonces = this.loadNonces()
    const known = nonces.get(nonce)
    if (known !== undefined && known > now) return false
    nonces.set(nonce, expiresAt)
    this.ctx.storage.kv.put(NONCE_PREFIX + nonce, expiresAt)
    await this.scheduleCleanup(expiresAt)
    return true
  }

  private loadNonces(): Map<string, number> {
    if (this.nonces === undefined) {
      this.nonces = new Map()
      for (const [key, value] of this.ctx.storage.kv.list<number>({ prefix: NONCE_PREFIX })) {
        this.nonces.set(key.slice(NONCE_PREFIX.length), value)
      }
    }
    return this.nonces
  }

  private loadWrites(): RecentWrites {
    this.writes ??= this.ctx.storage.kv.get<RecentWrites>(WRITES_KEY) ?? {}
    return this.writes
  }

  private recentWrites(now: number): RecentWrites {
    return Object.fromEntries(
      Object.entries(this.loadWrites()).filter(([, at]) => at > now - WRITE_MEMORY_MS),
    )
  }

  /** Makes sure the cleanup alarm fires no earlier than `due`, when these buckets are empty. */
  private async scheduleCleanup(due: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm()
    if (this.alarmAt !== null && this.alarmAt >= due) return
    this.alarmAt = Math.max(roundUp(due, ALARM_STEP_MS), Date.now() + ALARM_STEP_MS)
    await this.ctx.storage.setAlarm(this.alarmAt)
  }

  /**
   * Idle cleanup: drops the buckets whose hits have all left their windows, and deletes the object's
   * storage when none remain. Idempotent (alarms are delivered at least once).
   */
  override async alarm(): Promise<void> {
    const buckets = this.load()
    const now = Date.now()
    for (const [key, state] of buckets) {
      const current = prune(state, now)
      if (current.hits.length === 0) {
        buckets.delete(key)
        this.ctx.storage.kv.delete(BUCKET_PREFIX + key)
      }
    }
    const writes = this.recentWrites(now)
    this.writes = writes
    if (Object.keys(writes).length === 0) this.ctx.storage.kv.delete(WRITES_KEY)
    else this.ctx.storage.kv.put(WRITES_KEY, writes)
    const nonces = this.loadNonces()
    for (const [nonce, expiresAt] of nonces) {
      if (expiresAt <= now) {
        nonces.delete(nonce)
        this.ctx.storage.kv.delete(NONCE_PREFIX + nonce)
      }
    }
    const lastWrite = Math.max(0, ...Object.values(writes))
    const lastNonce = Math.max(0, ...nonces.values())
    const bucketsDue = emptyAt(buckets.values())
    const kept = [bucketsDue, lastWrite > 0 ? lastWrite + WRITE_MEMORY_MS : undefined, lastNonce || undefined]
    const times = kept.filter((time) => time !== undefined)
    const due = times.length === 0 ? undefined : Math.max(...times)
    if (due === undefined) {
      this.buckets = undefined
      this.writes = undefined
      this.nonces = undefined
      this.alarmAt = null
      await this.ctx.storage.deleteAll()
      return
    }
    this.alarmAt = null
    await this.scheduleCleanup(due)
  }
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step
}
