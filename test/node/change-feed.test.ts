/**
 * The change feed's triggers (migrations/optional/superset_change_feed.sql) and the fingerprints read
 * without them (src/superset/change-feed.ts) watch the same tables, with the same kinds.
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { WATCHED_TABLES } from '../../src/superset/change-feed'

describe('the change feed', () => {
  it('has a trigger for every watched table, mapped to the same kinds', async () => {
    const text = await readFile(
      new URL('../../migrations/optional/superset_change_feed.sql', import.meta.url),
      'utf8',
    )
    const triggers = [...text.matchAll(/\['([a-z_]+)', '([a-z_,]+)'\]/g)].map(([, table, kinds]) => ({
      table,
      kinds: kinds!.split(',').sort(),
    }))
    expect(triggers).toEqual(
      WATCHED_TABLES.map((table) => ({ table: table.name, kinds: [...table.kinds].sort() })),
    )
  })

  it('watches the tables cached answers read beyond the objects: favourites, report runs', () => {
    const kindsOf = (name: string) => WATCHED_TABLES.find((table) => table.name === name)?.kinds
    expect(kindsOf('favstar')).toEqual(['dashboard'])
    expect(kindsOf('report_execution_log')).toEqual(['report'])
  })
})
