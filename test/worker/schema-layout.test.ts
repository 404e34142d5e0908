/**
 * Which Superset metadata layout the database holds, and the refusal of layouts the gateway cannot
 * answer for correctly. Layout changes are made inside a transaction that is rolled back.
 */
import { describe, expect, it } from 'vitest'
import { sql, type Db } from '../../src/db'
import { GatewayError } from '../../src/errors'
import {
  assertSupportedLayout,
  OPTIONAL_TABLES,
  readSchemaProfile,
  type SchemaProfile,
} from '../../src/superset'
import { withMetadataDb } from '../helpers/db'

class Rollback extends Error {}

/** Reads the profile after `change`, then undoes the change. */
async function profileAfter(change: (tx: Db) => Promise<void>): Promise<SchemaProfile> {
  let profile: SchemaProfile | undefined
  await withMetadataDb(async (db) => {
    try {
      await db.transaction(async (tx) => {
        await change(tx)
        profile = await readSchemaProfile(tx)
        throw new Rollback()
      })
    } catch (err) {
      if (!(err instanceof Rollback)) throw err
    }
  })
  if (profile === undefined) throw new Error('no profile read')
  return profile
}

describe('Superset schema layout', () => {
  it('recognises the Superset 6.1 layout of the demo database', async () => {
    const profile = await profileAfter(async () => undefined)
    expect(profile).toEqual({
      layout: 'owners',
      revision: 'ce6bd21901ab',
      hasGroups: true,
      // The test setup installs the optional change feed (migrations/optional/superset_change_feed.sql).
      changeFeed: true,
      tables: [...OPTIONAL_TABLES],
    })
    expect(() => assertSupportedLayout(profile)).not.toThrow()
  })

  it('detects the "subjects" layout of Superset\'s development branch and refuses it clearly', async () => {
    const profile = await profileAfter(async (tx) => {
      await tx.query(sql`CREATE TABLE subjects (id serial PRIMARY KEY, type int NOT NULL)`)
      await tx.query(sql`ALTER TABLE dashboard_user RENAME TO dashboard_user_dropped`)
      await tx.query(sql`UPDATE alembic_version SET version_num = 'b1c2d3e4f5a6'`)
    })
    expect(profile.layout).toBe('subjects')
    let refusal: unknown
    try {
      assertSupportedLayout(profile)
    } catch (err) {
      refusal = err
    }
    expect(refusal).toBeInstanceOf(GatewayError)
    expect(refusal).toMatchObject({
      type: 'ConfigurationError',
      message: expect.stringContaining('"subjects" editors/viewers layout'),
      details: { revision: 'b1c2d3e4f5a6', layout: 'subjects' },
    })
  })

  it('lists the optional tables the database has, and misses one that is dropped', async () => {
    const profile = await profileAfter(async (tx) => {
      await tx.query(sql`DROP TABLE logs`)
    })
    expect(profile.tables).not.toContain('logs')
    expect(profile.tables).toContain('query')
  })

  it("refuses a database without Superset's tables", async () => {
    const profile = await profileAfter(async (tx) => {
      await tx.query(sql`ALTER TABLE dashboards RENAME TO dashboards_elsewhere`)
    })
    expect(profile.layout).toBe('missing')
    expect(() => assertSupportedLayout(profile)).toThrow(/does not point at a Superset metadata database/)
  })
})
