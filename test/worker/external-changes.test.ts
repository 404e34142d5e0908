/**
 * The isolate's view of changes made in Superset (src/cache/external-changes.ts), on an injected clock:
 * used as it is while young, refreshed after a response once 20 s old, read before use once 40 s old;
 * concurrent requests share one read. And the test settings that shorten it are refused in production.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import {
  CHANGES_MAX_AGE_MS,
  CHANGES_REFRESH_AFTER_MS,
  changesFreshForMs,
  changesTiming,
  currentChanges,
  forgetChanges,
  refreshChanges,
} from '../../src/cache'
import { loadConfig, requireConfig } from '../../src/config'
import { EXTERNAL_KINDS, type ExternalGenerations } from '../../src/superset'

const base = { DATABASE_URL: 'postgres://u@db:5432/superset', MCP_DEV_USERNAME: 'admin' }
const timing = changesTiming(requireConfig(base))

/** A read that counts itself and answers generation `n` for every kind. */
function counter() {
  let reads = 0
  const read = async (): Promise<ExternalGenerations> => {
    reads += 1
    return Object.fromEntries(EXTERNAL_KINDS.map((kind) => [kind, String(reads)])) as ExternalGenerations
  }
  return { read, reads: () => reads }
}

beforeEach(() => forgetChanges())

describe("the isolate's view of changes", () => {
  it('uses the 20 s / 40 s intervals unless a test setting shortens them', () => {
    expect(timing).toEqual({ refreshAfterMs: CHANGES_REFRESH_AFTER_MS, maxAgeMs: CHANGES_MAX_AGE_MS })
    expect([CHANGES_REFRESH_AFTER_MS, CHANGES_MAX_AGE_MS]).toEqual([20_000, 40_000])
    expect(changesTiming(requireConfig({ ...base, MCP_TEST_FRESHNESS_MS: '100' }))).toEqual({
      refreshAfterMs: 100,
      maxAgeMs: 200,
    })
  })

  it('reads before first use, then not on the request path while younger than 40 s', async () => {
    const { read, reads } = counter()
    let now = 1_000_000
    const clock = () => now
    const first = await currentChanges('db', read, timing, clock)
    expect(reads()).toBe(1)
    now += 39_000
    expect(await currentChanges('db', read, timing, clock)).toBe(first)
    expect(changesFreshForMs(first, timing, now)).toBe(1_000)
    expect(reads()).toBe(1)
    now += 1_000
    const second = await currentChanges('db', read, timing, clock)
    expect(reads()).toBe(2)
    expect(second.generations.permissions).toBe('2')
  })

  it('refreshes after a response once 20 s old, so a busy isolate never reads on the request path', async () => {
    const { read, reads } = counter()
    let now = 0
    const clock = () => now
    await currentChanges('db', read, timing, clock)
    now = 19_000
    await refreshChanges('db', read, timing, clock)
    expect(reads()).toBe(1)
    now = 21_000
    await refreshChanges('db', read, timing, clock)
    expect(reads()).toBe(2)
    now = 55_000 // 34 s after the refresh: still used as it is
    expect((await currentChanges('db', read, timing, clock)).generations.chart).toBe('2')
    expect(reads()).toBe(2)
  })

  it('shares one read between concurrent requests, and keeps databases apart', async () => {
    const { read, reads } = counter()
    await Promise.all([currentChanges('a', read, timing), currentChanges('a', read, timing)])
    expect(reads()).toBe(1)
    await currentChanges('b', read, timing)
    expect(reads()).toBe(2)
  })

  it('fails the request when the read fails, and reads again next time', async () => {
    const failing = async (): Promise<ExternalGenerations> => {
      throw new Error('database down')
    }
    await expect(currentChanges('db', failing, timing)).rejects.toThrow('database down')
    const { read, reads } = counter()
    await currentChanges('db', read, timing)
    expect(reads()).toBe(1)
  })

  it('refuses the test settings in production', () => {
    const production = { ...base, MCP_ENVIRONMENT: 'production', MCP_CONFIRM_SECRET: 'k'.repeat(32) }
    for (const setting of [{ MCP_TEST_FRESHNESS_MS: '100' }, { MCP_TEST_CHANGE_FEED: 'fingerprint' }]) {
      const result = loadConfig({ ...production, ...setting })
      expect(result.ok).toBe(false)
      expect(result.ok ? [] : result.problems).toEqual(
        expect.arrayContaining([expect.stringMatching(/^MCP_TEST_FRESHNESS_MS, MCP_TEST_CHANGE_FEED:/)]),
      )
    }
    expect(loadConfig(production).ok).toBe(true)
  })
})
