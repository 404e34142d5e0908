/**
 * One shard of the gateway's metrics: isolates add their batched counts to it, GET /metrics reads it.
 * A Durable Object runs one event at a time, so concurrent flushes add up exactly; the counts live in the
 * object's SQLite storage, so they survive eviction and deploys (counters only ever grow, as Prometheus
 * expects).
 */
import { DurableObject } from 'cloudflare:workers'

const SERIES_PREFIX = 'series:'
const FLUSHES_KEY = 'meta:flushes'
const LAST_FLUSH_KEY = 'meta:last_flush_at'
/** A batch larger than this is refused: an isolate has far fewer series, so it would be a bug or abuse. */
export const MAX_BATCH_SERIES = 10_000

export interface AggregatorSnapshot {
  series: [string, number][]
  /** Batches received. */
  flushes: number
  /** When the latest batch was flushed (ms since the epoch; 0 before the first). */
  lastFlushAt: number
}

export class MetricsAggregator extends DurableObject {
  /** The stored counts in memory, written through to storage; loaded on first use after (re)start. */
  private series: Map<string, number> | undefined

  private load(): Map<string, number> {
    if (this.series === undefined) {
      this.series = new Map()
      for (const [key, value] of this.ctx.storage.kv.list<number>({ prefix: SERIES_PREFIX })) {
        this.series.set(key.slice(SERIES_PREFIX.length), value)
      }
    }
    return this.series
  }

  /** RPC: adds one isolate's batch (`[series key, increment]` pairs) flushed at `flushedAt`. */
  add(batch: readonly (readonly [string, number])[], flushedAt: number): void {
    if (batch.length > MAX_BATCH_SERIES)
      throw new RangeError(`metrics batch of ${batch.length} series refused`)
    const series = this.load()
    for (const [key, increment] of batch) {
      if (typeof key !== 'string' || !Number.isFinite(increment)) continue
      // A zero still creates its series: a histogram needs every bucket, observed or not.
      if (increment === 0 && series.has(key)) continue
      const value = (series.get(key) ?? 0) + increment
      series.set(key, value)
      this.ctx.storage.kv.put(SERIES_PREFIX + key, value)
    }
    const storage = this.ctx.storage.kv
    storage.put(FLUSHES_KEY, (storage.get<number>(FLUSHES_KEY) ?? 0) + 1)
    storage.put(LAST_FLUSH_KEY, Math.max(storage.get<number>(LAST_FLUSH_KEY) ?? 0, flushedAt))
  }

  /** RPC: everything this shard holds. */
  snapshot(): AggregatorSnapshot {
    const storage = this.ctx.storage.kv
    return {
      series: [...this.load()],
      flushes: storage.get<number>(FLUSHES_KEY) ?? 0,
      lastFlushAt: storage.get<number>(LAST_FLUSH_KEY) ?? 0,
    }
  }
}
