/**
 * Direct access to the test's Superset metadata database, for checking what writes left behind and for
 * setting up users the demo content does not have.
 */
import { env } from 'cloudflare:workers'
import { inject } from 'vitest'
import { requireConfig } from '../../src/config'
import { createDb, sql, type Db } from '../../src/db'
import { createLogger } from '../../src/observability'

export function withMetadataDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  return withDb(requireConfig(env).database.url, work)
}

async function withDb<T>(url: string, work: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb({
    config: requireConfig(env).database,
    connectionString: url,
    label: 'test',
    log: createLogger('error'),
  })
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

/** A Superset user holding exactly the given roles; returns a function that removes it. */
export async function createUser(username: string, roles: string[]): Promise<() => Promise<void>> {
  await withMetadataDb(async (db) => {
    await db.query(sql`
      WITH u AS (
        INSERT INTO ab_user (id, first_name, last_name, username, email, active, created_on, changed_on)
        VALUES (nextval('ab_user_id_seq'), 'Probe', 'User', ${username}, ${`${username}@example.com`}, true, now(), now())
        RETURNING id)
      INSERT INTO ab_user_role (id, user_id, role_id)
      SELECT nextval('ab_user_role_id_seq'), u.id, r.id FROM u, ab_role r WHERE r.name = ANY(${roles})`)
  })
  return () =>
    withMetadataDb(async (db) => {
      await db.query(
        sql`DELETE FROM ab_user_role WHERE user_id IN (SELECT id FROM ab_user WHERE username = ${username})`,
      )
      await db.query(sql`DELETE FROM ab_user WHERE username = ${username}`)
    })
}

/**
 * The analytics demo database as its superuser (not as the gateway's least-privilege role), for
 * checking from outside what an attack did or did not leave behind.
 */
export function withAnalyticsSuperuser<T>(work: (db: Db) => Promise<T>): Promise<T> {
  return withDb(inject('stack').analyticsUrl, work)
}

/** A Superset role holding the given object permissions (e.g. schema_access on `[scratchpad].[scratch]`). */
export async function createRole(
  name: string,
  permissions: { permission: string; view: string }[],
): Promise<() => Promise<void>> {
  await withMetadataDb(async (db) => {
    await db.query(sql`INSERT INTO ab_role (id, name) VALUES (nextval('ab_role_id_seq'), ${name})`)
    for (const { permission, view } of permissions) {
      await db.query(sql`
        INSERT INTO ab_permission_view_role (id, permission_view_id, role_id)
        SELECT nextval('ab_permission_view_role_id_seq'), pv.id, r.id
          FROM ab_permission_view pv JOIN ab_permission p ON p.id = pv.permission_id
          JOIN ab_view_menu v ON v.id = pv.view_menu_id, ab_role r
         WHERE p.name = ${permission} AND v.name = ${view} AND r.name = ${name}`)
    }
  })
  return () =>
    withMetadataDb(async (db) => {
      await db.query(
        sql`DELETE FROM ab_permission_view_role WHERE role_id IN (SELECT id FROM ab_role WHERE name = ${name})`,
      )
      await db.query(sql`DELETE FROM ab_role WHERE name = ${name}`)
    })
}
