import { inject, describe, expect, it } from 'vitest'
import { requireConfig } from '../../src/config'
import { createDb, sql } from '../../src/db'
import { GatewayError, toErrorBody } from '../../src/errors'
import { createLogger } from '../../src/observability'
import { env } from 'cloudflare:workers'

const log = createLogger('error')
const stack = inject('stack')

function database(overrides: { url?: string; statementTimeoutMs?: number } = {}) {
  const config = requireConfig(env)
  return createDb({
    config: {
      ...config.database,
      statementTimeoutMs: overrides.statementTimeoutMs ?? config.database.statementTimeoutMs,
    },
    connectionString: overrides.url ?? config.database.url,
    label: 'the Superset metadata database',
    log,
  })
}

describe('the database layer', () => {
  it('runs parameterised queries on a pool opened lazily and closed after use', async () => {
    const db = database()
    const rows = await db.query<{ n: number; s: string }>(
      sql`SELECT ${41}::int + 1 AS n, ${"it's"}::text AS s`,
    )
    expect(rows).toEqual([{ n: 42, s: "it's" }])
    await db.close()
    await db.close()
  })

  it('commits a transaction, and rolls it back when the work fails', async () => {
    const db = database()
    await db.query(sql`CREATE TABLE IF NOT EXISTS mcp_gateway.tx_probe (v int)`)
    await db.transaction(async (tx) => {
      await tx.query(sql`INSERT INTO mcp_gateway.tx_probe VALUES (${1})`)
    })
    await expect(
      db.transaction(async (tx) => {
        await tx.query(sql`INSERT INTO mcp_gateway.tx_probe VALUES (${2})`)
        throw new GatewayError('ConflictError', 'stop')
      }),
    ).rejects.toMatchObject({ type: 'ConflictError' })
    expect(await db.query(sql`SELECT v FROM mcp_gateway.tx_probe ORDER BY v`)).toEqual([{ v: 1 }])
    await db.query(sql`DROP TABLE mcp_gateway.tx_probe`)
    await db.close()
  })

  it('turns an unreachable database into UpstreamError without leaking where it is', async () => {
    const db = database({ url: 'postgres://secret_user:secret_pw@127.0.0.1:1/nowhere' })
    const failure = await db.query(sql`SELECT 1`).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(GatewayError)
    expect(failure).toMatchObject({
      type: 'UpstreamError',
      message: 'The Superset metadata database is unreachable; try again shortly.',
    })
    const body = JSON.stringify(toErrorBody(failure as GatewayError))
    expect(body).not.toMatch(/secret|127\.0\.0\.1|nowhere/)
    await db.close()
  })

  it('hides the SQL and the driver message of a failing query', async () => {
    const db = database()
    const failure = (await db
      .query(sql`SELECT * FROM no_such_table_xyz`)
      .catch((err: unknown) => err)) as GatewayError
    expect(failure.type).toBe('InternalError')
    expect(failure.message).not.toContain('no_such_table_xyz')
    await db.close()
  })

  it.runIf(stack.engine === 'postgres')(
    'turns a statement timeout into TimeoutError at the configured bound',
    async () => {
      const db = database({ statementTimeoutMs: 200 })
      const started = Date.now()
      await expect(db.query(sql`SELECT pg_sleep(3)`)).rejects.toMatchObject({
        type: 'TimeoutError',
        message: 'The Superset metadata database did not answer within 200 ms.',
      })
      expect(Date.now() - started).toBeLessThan(2_000)
      await db.close()
    },
  )
})
