/**
 * The optional index file applies cleanly to a Superset metadata database, twice (idempotent), outside
 * a transaction as CONCURRENTLY requires.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { seedSuperset, withClient } from '../../scripts/lib/database.ts'
import { startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts'

const FILE = fileURLToPath(new URL('../../migrations/optional/superset_access_indexes.sql', import.meta.url))

describe('migrations/optional/superset_access_indexes.sql', () => {
  it('creates every index on a Superset database and can run again', async () => {
    const postgres = await startEmbeddedPostgres()
    try {
      await withClient(postgres.url, async (client) => {
        await seedSuperset(client)
        const statements = (await readFile(FILE, 'utf8'))
          .replace(/--.*$/gm, '')
          .split(';')
          .map((statement) => statement.trim())
          .filter((statement) => statement !== '')
        for (let round = 0; round < 2; round++)
          for (const statement of statements) await client.query(statement)
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_indexes WHERE indexname LIKE 'mcp_gw_%'",
        )
        expect(Number(rows[0]?.n)).toBe(statements.length)
      })
    } finally {
      await postgres.stop()
    }
  })
})
