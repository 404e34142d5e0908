import { sql, type Db } from '../../db'
import { databaseVisibility } from '../access'
import type { Principal } from '../principal'

/** A database connection by id, if the principal may see it. */
export async function findVisibleDatabase(
  db: Db,
  id: number,
  principal: Principal,
): Promise<{ id: number; database_name: string } | undefined> {
  const [database] = await db.query<{ id: number; database_name: string }>(sql`
    SELECT db.id, db.database_name FROM dbs db WHERE db.id = ${id} AND ${databaseVisibility(principal, 'db')}`)
  return database
}
