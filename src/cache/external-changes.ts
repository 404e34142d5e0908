/**
 * This isolate's view of what changed in Superset's tables, out of band or not (src/superset/change-feed.ts):
 * the external generations it last read, and when. They go into every cached answer's key and the
 * principal cache's key, so an answer or a principal from before a change is not used after it.
 *
 * A cache hit normally costs no database round trip: the state is refreshed after a response (the
 * request's deferred work) once it is older than CHANGES_REFRESH_AFTER_MS, and read before the request
 * uses anything cached only when it is older than CHANGES_MAX_AGE_MS (or was never read): an isolate
 * that serves at least one request every 20 s never reads on the response path. So no answer or principal
 * is used more than CHANGES_MAX_AGE_MS after a change it depends on committed (docs/storage.md, "Freshness").
 */
import type { Config } from '../config'
import type { ExternalGenerations } from '../superset'

/** After a response, the state is re-read in the background once it is this old. */
export const CHANGES_REFRESH_AFTER_MS = 20_000
/** Before anything cached is used, the state is re-read on the request's path once it is this old. */
export const CHANGES_MAX_AGE_MS = 40_000

export interface ChangesTiming {
  refreshAfterMs: number
  maxAgeMs: number
}

/** What one read saw, and when it started (a change committed after `readAt` may be missing from it). */
export interface ChangesSnapshot {
  generations: ExternalGenerations
  readAt: number
}

interface State {
  snapshot?: ChangesSnapshot
  reading?: Promise<ChangesSnapshot>
}

// Per isolate, per database (and read mode): a cache of the last read, so module scope.
const states = new Map<string, State>()

/** The built-in intervals, or the test setting's (MCP_TEST_FRESHNESS_MS, maximum age twice it). */
export function changesTiming(config: Config): ChangesTiming {
  const refreshMs = config.freshnessTest.refreshMs
  return refreshMs === undefined
    ? { refreshAfterMs: CHANGES_REFRESH_AFTER_MS, maxAgeMs: CHANGES_MAX_AGE_MS }
    : { refreshAfterMs: refreshMs, maxAgeMs: 2 * refreshMs }
}

/**
 * The state a request uses: the isolate's when it is younger than `maxAgeMs`, else a fresh read (awaited;
 * concurrent requests share one read). A failed read fails the request: nothing cached can be vouched for.
 */
export async function currentChanges(
  key: string,
  read: () => Promise<ExternalGenerations>,
  timing: ChangesTiming,
  now: () => number = Date.now,
): Promise<ChangesSnapshot> {
  const state = stateOf(key)
  const known = state.snapshot
  if (known !== undefined && now() - known.readAt < timing.maxAgeMs) return known
  return readInto(state, read, now)
}

/** After a response: re-reads the state when it is older than `refreshAfterMs` (not awaited by the caller). */
export async function refreshChanges(
  key: string,
  read: () => Promise<ExternalGenerations>,
  timing: ChangesTiming,
  now: () => number = Date.now,
): Promise<void> {
  const state = stateOf(key)
  const known = state.snapshot
  if (known !== undefined && now() - known.readAt < timing.refreshAfterMs) return
  await readInto(state, read, now)
}

/** How much longer, in ms, requests use this snapshot without reading again. */
export function changesFreshForMs(
  snapshot: ChangesSnapshot,
  timing: ChangesTiming,
  now: number = Date.now(),
): number {
  return Math.max(0, snapshot.readAt + timing.maxAgeMs - now)
}

/** Forgets what this isolate read: the next request reads again (POST /admin/cache/invalidate, tests). */
export function forgetChanges(): void {
  states.clear()
}

function stateOf(key: string): State {
  let state = states.get(key)
  if (state === undefined) {
    state = {}
    states.set(key, state)
  }
  return state
}

function readInto(
  state: State,
  read: () => Promise<ExternalGenerations>,
  now: () => number,
): Promise<ChangesSnapshot> {
  if (state.reading !== undefined) return state.reading
  const readAt = now()
  const reading = read()
    .then((generations) => {
      const snapshot = { generations, readAt }
      // A slower, older read never replaces a newer one.
      if (state.snapshot === undefined || state.snapshot.readAt <= readAt) state.snapshot = snapshot
      return snapshot
    })
    .finally(() => {
      if (state.reading === reading) state.reading = undefined
    })
  state.reading = reading
  return reading
}
