/**
 * Waiting for a condition instead of sleeping for a time hoped to be long enough. Runs in Node and in
 * workerd alike (no platform APIs beyond timers).
 */

export interface EventuallyOptions {
  /** How long the condition has to come true, in ms (default 5 s). */
  timeout?: number
  /** Pause between two checks, in ms (default 50). */
  interval?: number
}

/**
 * Checks `condition` until it holds: until it returns (or resolves to) anything but `false` without
 * throwing, so an assertion (`() => expect(…)…`) and a predicate (`() => done`) both work. Returns the
 * condition's value. Past `timeout`, fails with the condition's last error (an assertion's own message).
 *
 * The deadline is measured with performance.now(), which tests faking Date (vi.useFakeTimers) leave alone.
 */
export async function eventually<T>(
  condition: () => T | Promise<T>,
  { timeout = 5_000, interval = 50 }: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const deadline = performance.now() + timeout
  for (;;) {
    let failure: unknown
    try {
      const value = await condition()
      if (value !== false) return value as Exclude<T, false>
      failure = new Error(`the condition was still false after ${timeout} ms`)
    } catch (err) {
      failure = err
    }
    if (performance.now() >= deadline) throw failure
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
