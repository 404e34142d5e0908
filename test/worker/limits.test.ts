/**
 * The RateLimiter Durable Object in workerd: exact moving-window counting, all-or-nothing decisions,
 * isolation between tools and users, concurrency, eviction and idle cleanup. Time moves through the
 * `now` argument of the RPC, never by sleeping.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { WindowDecision, WindowLimit } from '../../src/limits'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

const objectFor = (name: string) => env.RATE_LIMITER.getByName(name)
const limit = (key: string, count: number, windowMs = MINUTE): WindowLimit => ({
  key,
  limit: count,
  windowMs,
})

async function consume(name: string, limits: WindowLimit[], now: number): Promise<WindowDecision> {
  return (await objectFor(name).consume(limits, now)) as WindowDecision
}

async function storedBuckets(name: string): Promise<Record<string, unknown>> {
  return runInDurableObject(objectFor(name), (_instance, state) =>
    Object.fromEntries(state.storage.kv.list({ prefix: 'bucket:' })),
  )
}

describe('RateLimiter: the moving window', () => {
  it('allows N calls in a window and refuses the N+1th until the oldest call leaves it', async () => {
    const t0 = Date.now()
    const limits = [limit('tool:execute_sql/60000', 5)]
    for (let i = 0; i < 5; i++) {
      const decision = await consume('acme:1', limits, t0 + i * 1_000)
      expect(decision).toMatchObject({ allowed: true, statuses: [{ remaining: 4 - i, limit: 5 }] })
    }
    const refused = await consume('acme:1', limits, t0 + 10_000)
    expect(refused).toMatchObject({
      allowed: false,
      retryAfterMs: 50_000,
      violated: { key: 'tool:execute_sql/60000', remaining: 0, resetMs: 50_000 },
    })
  })

  it('frees one slot per call leaving the window (moving, not fixed)', async () => {
    const t0 = Date.now()
    const limits = [limit('user/60000', 3)]
    for (const offset of [0, 1_000, 2_000])
      expect((await consume('acme:2', limits, t0 + offset)).allowed).toBe(true)
    expect((await consume('acme:2', limits, t0 + 59_999)).allowed).toBe(false)
    expect((await consume('acme:2', limits, t0 + 60_000)).allowed).toBe(true)
    const next = await consume('acme:2', limits, t0 + 60_000)
    expect(next).toMatchObject({ allowed: false, retryAfterMs: 1_000 })
    expect((await consume('acme:2', limits, t0 + 61_000)).allowed).toBe(true)
  })

  it('decides user-wide and tool limits together and counts a refused call nowhere', async () => {
    const t0 = Date.now()
    const user = limit('user/60000', 3)
    const sql = [user, limit('tool:execute_sql/60000', 1)]
    const charts = [user, limit('tool:list_charts/60000', 10)]
    expect((await consume('acme:3', sql, t0)).allowed).toBe(true)
    const toolRefusal = await consume('acme:3', sql, t0 + 1)
    expect(toolRefusal).toMatchObject({ allowed: false, violated: { key: 'tool:execute_sql/60000' } })
    // The refused execute_sql call did not use up user quota: two more calls fit, then the user limit.
    expect(await consume('acme:3', charts, t0 + 2)).toMatchObject({
      allowed: true,
      statuses: [
        { key: 'user/60000', remaining: 1 },
        { key: 'tool:list_charts/60000', remaining: 9 },
      ],
    })
    expect((await consume('acme:3', charts, t0 + 3)).allowed).toBe(true)
    const userRefusal = await consume('acme:3', charts, t0 + 4)
    expect(userRefusal).toMatchObject({ allowed: false, violated: { key: 'user/60000' } })
  })

  it('refuses on the limit that frees last when several are full', async () => {
    const t0 = Date.now()
    const limits = [limit('user/60000', 2), limit('user/3600000', 2, HOUR)]
    await consume('acme:4', limits, t0)
    await consume('acme:4', limits, t0 + 1_000)
    const refused = await consume('acme:4', limits, t0 + 2_000)
    expect(refused).toMatchObject({
      allowed: false,
      retryAfterMs: HOUR - 2_000,
      violated: { key: 'user/3600000' },
    })
  })

  it('keeps tools apart: one tool at its limit does not refuse another', async () => {
    const t0 = Date.now()
    const sql = [limit('tool:execute_sql/60000', 2)]
    const charts = [limit('tool:list_charts/60000', 2)]
    await consume('acme:5', sql, t0)
    await consume('acme:5', sql, t0)
    expect((await consume('acme:5', sql, t0)).allowed).toBe(false)
    expect((await consume('acme:5', charts, t0)).allowed).toBe(true)
  })

  it('keeps users and tenants apart: each has its own object', async () => {
    const t0 = Date.now()
    const limits = [limit('user/60000', 1)]
    expect((await consume('acme:6', limits, t0)).allowed).toBe(true)
    expect((await consume('acme:6', limits, t0)).allowed).toBe(false)
    expect((await consume('acme:7', limits, t0)).allowed).toBe(true)
    expect((await consume('globex:6', limits, t0)).allowed).toBe(true)
  })

  it('allows exactly 20 of 50 concurrent calls against a limit of 20', async () => {
    const limits = [limit('tool:execute_sql/60000', 20)]
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => objectFor('acme:8').consume(limits) as Promise<WindowDecision>),
    )
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(20)
    expect(decisions.filter((decision) => !decision.allowed)).toHaveLength(30)
  })
})

describe('RateLimiter: storage', () => {
  it('keeps the counts when the object is evicted', async () => {
    const t0 = Date.now()
    const limits = [limit('user/60000', 5)]
    for (let i = 0; i < 3; i++) await consume('acme:20', limits, t0 + i)
    await evictDurableObject(objectFor('acme:20'))
    expect(await storedBuckets('acme:20')).toEqual({
      'bucket:user/60000': { windowMs: MINUTE, hits: [t0, t0 + 1, t0 + 2] },
    })
    expect((await consume('acme:20', limits, t0 + 10)).allowed).toBe(true)
    expect((await consume('acme:20', limits, t0 + 11)).allowed).toBe(true)
    expect((await consume('acme:20', limits, t0 + 12)).allowed).toBe(false)
  })

  it('schedules cleanup for when the longest-lived bucket is empty', async () => {
    const t0 = Date.now()
    await consume('acme:21', [limit('user/60000', 5), limit('user/3600000', 50, HOUR)], t0)
    const alarm = await runInDurableObject(objectFor('acme:21'), (_instance, state) =>
      state.storage.getAlarm(),
    )
    expect(alarm).toBeGreaterThanOrEqual(t0 + HOUR)
    expect(alarm).toBeLessThanOrEqual(t0 + HOUR + MINUTE)
  })

  it('deletes all storage once every bucket has emptied', async () => {
    const tenMinutesAgo = Date.now() - 10 * MINUTE
    await consume('acme:22', [limit('user/60000', 5), limit('tool:list_charts/60000', 5)], tenMinutesAgo)
    expect(Object.keys(await storedBuckets('acme:22'))).toHaveLength(2)
    expect(await runDurableObjectAlarm(objectFor('acme:22'))).toBe(true)
    const after = await runInDurableObject(objectFor('acme:22'), async (_instance, state) => ({
      keys: [...state.storage.kv.list()].length,
      alarm: await state.storage.getAlarm(),
    }))
    expect(after).toEqual({ keys: 0, alarm: null })
  })

  it('drops only the emptied buckets and waits for the others', async () => {
    const tenMinutesAgo = Date.now() - 10 * MINUTE
    await consume('acme:23', [limit('user/60000', 5), limit('user/3600000', 50, HOUR)], tenMinutesAgo)
    expect(await runDurableObjectAlarm(objectFor('acme:23'))).toBe(true)
    expect(await storedBuckets('acme:23')).toEqual({
      'bucket:user/3600000': { windowMs: HOUR, hits: [tenMinutesAgo] },
    })
    const alarm = await runInDurableObject(objectFor('acme:23'), (_instance, state) =>
      state.storage.getAlarm(),
    )
    expect(alarm).toBeGreaterThanOrEqual(tenMinutesAgo + HOUR)
    // The hour bucket still counts after the cleanup.
    const decision = await consume('acme:23', [limit('user/3600000', 1, HOUR)], Date.now())
    expect(decision).toMatchObject({ allowed: false, violated: { key: 'user/3600000' } })
  })
})

describe('confirmation nonces in the RateLimiter Durable Object', () => {
  it('accepts a nonce once, also across an eviction, and refuses every replay', async () => {
    const object = objectFor('acme:30')
    const expiresAt = Date.now() + 5 * MINUTE
    expect(await object.consumeNonce('n-1', expiresAt)).toBe(true)
    expect(await object.consumeNonce('n-1', expiresAt)).toBe(false)
    expect(await object.consumeNonce('n-2', expiresAt)).toBe(true)
    await evictDurableObject(object)
    expect(await object.consumeNonce('n-1', expiresAt)).toBe(false)
  })

  it('decides parallel attempts with the same nonce exactly: one wins', async () => {
    const object = objectFor('acme:31')
    const expiresAt = Date.now() + 5 * MINUTE
    const answers = await Promise.all(Array.from({ length: 8 }, () => object.consumeNonce('race', expiresAt)))
    expect(answers.filter(Boolean)).toHaveLength(1)
  })

  it('refuses a nonce whose state has expired, and forgets used nonces once they expire', async () => {
    const object = objectFor('acme:32')
    expect(await object.consumeNonce('late', Date.now() - 1)).toBe(false)
    const soon = Date.now() + MINUTE
    expect(await object.consumeNonce('kept', soon)).toBe(true)
    const alarm = await runInDurableObject(object, (_instance, state) => state.storage.getAlarm())
    expect(alarm).toBeGreaterThanOrEqual(soon)
    // Once the state is past its expiry the nonce is dropped by the cleanup (the state is refused for its
    // age by then), and the object's storage is deleted when nothing else is left.
    await runInDurableObject(object, (_instance, state) => {
      state.storage.kv.put('nonce:kept', Date.now() - 1)
    })
    await evictDurableObject(object)
    expect(await runDurableObjectAlarm(object)).toBe(true)
    const keys = await runInDurableObject(object, (_instance, state) => [...state.storage.kv.list()].length)
    expect(keys).toBe(0)
  })
})
