/**
 * One Durable Object per tenant and user holding all of that user's buckets, so one RPC decides the
 * user-wide limits and the tool's limit together. A Durable Object runs one event at a time, so the
 * read-decide-write below cannot interleave: concurrent calls are counted exactly.
 */
import { DurableObject } from 'cloudflare:workers'
import { decide, type BucketState, type WindowDecision, type WindowLimit } from './window'

const BUCKET_PREFIX = 'bucket:'

export class RateLimiter extends DurableObject {
  /** Buckets in memory; written through to the object's SQLite storage so eviction keeps the counts. */
  private buckets: Map<string, BucketState> | undefined

  private load(): Map<string, BucketState> {
    if (this.buckets === undefined) {
      this.buckets = new Map()
      for (const [key, value] of this.ctx.storage.kv.list<BucketState>({ prefix: BUCKET_PREFIX })) {
        this.buckets.set(key.slice(BUCKET_PREFIX.length), value)
      }
    }
    return this.buckets
  }

  /** Counts one call against `limits` if every one of them has room. */
  async consume(limits: WindowLimit[], now: number = Date.now()): Promise<WindowDecision> {
    const buckets = this.load()
    const { decision, next } = decide(limits, buckets, now)
    for (const [key, state] of next) {
      buckets.set(key, state)
      if (state.hits.length === 0) this.ctx.storage.kv.delete(BUCKET_PREFIX + key)
      else this.ctx.storage.kv.put(BUCKET_PREFIX + key, state)
    }
    await this.scheduleCleanup(limits, now)
    return decision
  }

  /** The buckets' current use without counting a call (for the remaining-quota view). */
  async peek(limits: WindowLimit[], now: number = Date.now()): Promise<WindowDecision> {
    return decide(limits, this.load(), now).decision
  }

  private async scheduleCleanup(limits: WindowLimit[], now: number): Promise<void> {
    const longest = Math.max(...limits.map((limit) => limit.windowMs), 0)
    const due = now + longest + 1_000
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current < due) await this.ctx.storage.setAlarm(due)
  }

  /** Idle cleanup: drop buckets whose hits have all left their windows; delete everything when none remain. */
  override async alarm(): Promise<void> {
    const buckets = this.load()
    const now = Date.now()
    let latest = 0
    for (const [key, state] of buckets) {
      const newest = state.hits.at(-1)
      if (newest === undefined || newest < now - 86_400_000) {
        buckets.delete(key)
        this.ctx.storage.kv.delete(BUCKET_PREFIX + key)
      } else latest = Math.max(latest, newest)
    }
    if (buckets.size === 0) {
      this.buckets = undefined
      await this.ctx.storage.deleteAll()
    } else {
      await this.ctx.storage.setAlarm(Math.max(now + 60_000, latest + 86_400_000))
    }
  }
}
