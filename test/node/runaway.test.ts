/**
 * On the local stack, a runaway analytics query is cut at its timeout while the metadata database and
 * the gateway keep answering (each embedded engine runs on its own thread: scripts/lib/engine.ts).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/lib/ports.ts'
import { startStack, type Stack } from '../../scripts/lib/stack.ts'
import { eventually } from '../helpers/eventually.ts'

let stack: Stack | undefined
afterAll(async () => {
  await stack?.stop()
})

async function call(tool: string, request: unknown): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now()
  const response = await fetch(`${stack!.url}/tools/${tool}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ request }),
  })
  return { status: response.status, body: await response.json(), ms: Date.now() - started }
}

describe('a runaway query on the local stack', () => {
  it('is cut at its timeout while metadata calls stay fast, and the analytics engine comes back', async () => {
    const notices: string[] = []
    stack = await startStack({
      port: await freePort(),
      inspectorPort: await freePort(),
      onNotice: (message) => notices.push(message),
      env: { ...process.env, MCP_AUTH_ENABLED: 'false', MCP_DEV_USERNAME: 'admin', MCP_LOG_LEVEL: 'error' },
    })
    const runaway = call('execute_sql', {
      database_id: 1,
      timeout: 2,
      sql: 'SELECT count(*) FROM generate_series(1, 1000000) a, generate_series(1, 1000000) b',
    })
    // The runaway is running on the analytics engine (its statement timeout armed the watchdog).
    await eventually(() => stack!.engines!.analytics.busy(), { timeout: 10_000, interval: 10 })
    const meanwhile = await call('list_dashboards', { page_size: 3, force_refresh: true })
    expect(meanwhile.status).toBe(200)
    expect(meanwhile.ms).toBeLessThan(1_500)
    const cut = await runaway
    expect(cut.status).toBeGreaterThanOrEqual(500)
    expect(cut.ms).toBeLessThan(6_000)
    await eventually(
      () =>
        expect(notices.join('\n')).toMatch(
          /the analytics database ran a query \d+ ms past its statement timeout/,
        ),
      {
        timeout: 20_000,
        interval: 200,
      },
    )
    await eventually(
      async () =>
        expect(
          (await call('execute_sql', { database_id: 1, sql: 'SELECT count(*) AS n FROM sales.orders' })).body
            .rows,
        ).toEqual([{ n: 3000 }]),
      { timeout: 20_000, interval: 500 },
    )
  })
})
