/**
 * Shared set-up of the chart-data, execute-sql and query tests.
 */
import { env } from 'cloudflare:workers'
import { beforeAll } from 'vitest'

/** These tests make many calls a minute; the built-in limits (execute_sql: 10 per minute) would refuse them. */
export function relaxLimits(): void {
  beforeAll(async () => {
    await env.CONFIG.put(
      'limits:default',
      JSON.stringify({
        default_limits: ['10000 per minute'],
        per_tool_limits: { execute_sql: '10000 per minute' },
      }),
    )
  })
}
