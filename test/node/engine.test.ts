/**
 * An embedded engine on its own thread (scripts/lib/engine.ts): a query that runs past its statement
 * timeout is stopped (PGlite cannot), the engine comes back on the same port with its content, and the
 * other engine answers meanwhile.
 */
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedEngine, type EmbeddedEngine } from '../../scripts/lib/engine.ts'
import { eventually } from '../helpers/eventually.ts'

const engines: EmbeddedEngine[] = []
afterAll(async () => {
  for (const engine of engines) await engine.stop()
})

async function query(url: string, text: string, statementTimeoutMs?: number): Promise<unknown[]> {
  const client = new pg.Client({
    connectionString: url,
    ...(statementTimeoutMs === undefined ? {} : { statement_timeout: statementTimeoutMs }),
  })
  client.on('error', () => undefined)
  await client.connect()
  try {
    return (await client.query(text)).rows
  } finally {
    await client.end().catch(() => undefined)
  }
}

describe('an embedded engine on its own thread', () => {
  it('stops a runaway query at its timeout plus the grace, serves the other engine meanwhile, and comes back seeded', async () => {
    const restarts: string[] = []
    const seed = (url: string) =>
      query(url, "CREATE TABLE notes AS SELECT 'kept' AS note").then(() => undefined)
    const analytics = await startEmbeddedEngine({
      name: 'analytics',
      graceMs: 500,
      reseed: seed,
      onRestart: (message) => restarts.push(message),
    })
    engines.push(analytics)
    await seed(analytics.url)
    const metadata = await startEmbeddedEngine({ name: 'metadata' })
    engines.push(metadata)

    const started = Date.now()
    const runaway = query(
      analytics.url,
      'SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b',
      1_000,
    ).then(
      () => 'finished',
      (err: Error) => err.message,
    )
    // The runaway is running on the analytics engine (its statement timeout armed the watchdog).
    await eventually(() => analytics.busy(), { timeout: 5_000, interval: 10 })
    const meanwhile = Date.now()
    expect(await query(metadata.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
    expect(Date.now() - meanwhile).toBeLessThan(1_000)
    expect(await runaway).not.toBe('finished')
    expect(Date.now() - started).toBeLessThan(4_000)
    await eventually(
      () =>
        expect(restarts).toEqual([
          expect.stringMatching(/the analytics database ran a query \d+ ms past its statement timeout/),
        ]),
      { timeout: 20_000, interval: 100 },
    )
    expect(await query(analytics.url, 'SELECT note FROM notes')).toEqual([{ note: 'kept' }])
  })
})
