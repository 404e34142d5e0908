/**
 * The demo's action log moves with the calendar when `npm start` seeds it (list_action_logs covers the
 * last 7 days by default); the tests seed without moving it, so their dates stay as written.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { seedSuperset, withClient } from '../../scripts/lib/database.ts'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts'

const databases: EmbeddedPostgres[] = []
afterAll(async () => {
  for (const database of databases) await database.stop()
})

async function newestLogs(relativeTo?: Date): Promise<{ newest: string; recent: number }> {
  const database = await startEmbeddedPostgres()
  databases.push(database)
  return withClient(database.url, async (client) => {
    await seedSuperset(client, relativeTo === undefined ? {} : { relativeTo })
    const { rows } = await client.query<{ newest: string; recent: string }>(
      `SELECT to_char(max(dttm), 'YYYY-MM-DD HH24:MI') AS newest,
              count(*) FILTER (WHERE dttm >= (SELECT max(dttm) FROM logs) - interval '7 days') AS recent
         FROM logs`,
    )
    return { newest: rows[0]!.newest, recent: Number(rows[0]!.recent) }
  })
}

describe('demo action log dates', () => {
  it('puts the newest entry on the day before the seeding day, whole days later, never earlier', async () => {
    expect(await newestLogs(new Date('2026-12-04T19:00:00Z'))).toEqual({
      newest: '2026-12-03 17:05',
      recent: 8,
    })
    expect((await newestLogs(new Date('2026-06-01T00:00:00Z'))).newest).toBe('2026-06-26 17:05')
    expect((await newestLogs()).newest).toBe('2026-06-26 17:05')
  })
})
