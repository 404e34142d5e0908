/**
 * The demo's dates move with the calendar at seed time (scripts/lib/database.ts), so the obvious
 * questions — revenue last month, last quarter — have answers on a fresh `npm start`; the tests seed
 * without moving them, so their hand-computed figures stay exact.
 */
import type pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { demoShiftMonths, seedAnalytics, withClient } from '../../scripts/lib/database.ts'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts'

const databases: EmbeddedPostgres[] = []
afterAll(async () => {
  for (const database of databases) await database.stop()
})

async function seeded(relativeTo?: Date): Promise<string> {
  const database = await startEmbeddedPostgres()
  databases.push(database)
  await withClient(database.url, (client) =>
    seedAnalytics(client, relativeTo === undefined ? {} : { relativeTo }),
  )
  return database.url
}

async function query<Row>(url: string, text: string): Promise<Row[]> {
  return withClient(url, async (client: pg.Client) => (await client.query(text)).rows as Row[])
}

describe('demo dates', () => {
  it('counts whole months from the data to the month before today, never backwards', () => {
    expect(demoShiftMonths(new Date('2026-12-02T10:00:00Z'))).toBe(5)
    expect(demoShiftMonths(new Date('2026-07-15T00:00:00Z'))).toBe(0)
    expect(demoShiftMonths(new Date('2026-03-01T00:00:00Z'))).toBe(0)
    expect(demoShiftMonths(new Date('2028-01-01T00:00:00Z'))).toBe(18)
  })

  it('moves every date so that last quarter has revenue, and leaves them alone without a date', async () => {
    const moved = await seeded(new Date('2026-12-02T10:00:00Z'))
    expect(
      await query(
        moved,
        'SELECT max(order_date)::text AS last, min(order_date)::text AS first FROM sales.orders',
      ),
    ).toEqual([{ last: '2026-11-30', first: '2025-06-01' }])
    const [quarter] = await query<{ orders: string }>(
      moved,
      "SELECT count(*) AS orders FROM sales.orders WHERE order_date >= DATE '2026-07-01' AND order_date < DATE '2026-10-01'",
    )
    expect(Number(quarter!.orders)).toBeGreaterThan(400)
    const [gl] = await query<{ last: string }>(
      moved,
      'SELECT max(posting_date)::text AS last FROM finance.gl_entries',
    )
    expect(gl!.last).toBe('2026-11-29')
    const fixed = await seeded()
    expect(await query(fixed, 'SELECT max(order_date)::text AS last FROM sales.orders')).toEqual([
      { last: '2026-06-30' },
    ])
  })
})
