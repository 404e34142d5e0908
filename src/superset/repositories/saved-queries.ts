/**
 * A saved query (SQL Lab's "Save"), owned by its author.
 */
import { sql, type Db } from '../../db'
import { NOW_UTC } from '../timestamps'

export interface NewSavedQuery {
  database_id: number
  label: string
  sql: string
  schema?: string | undefined
  catalog?: string | undefined
  description?: string | undefined
}

export async function insertSavedQuery(
  db: Db,
  query: NewSavedQuery,
  userId: number,
): Promise<{ id: number }> {
  const [saved] = await db.query<{ id: number }>(sql`
    INSERT INTO saved_query (created_on, changed_on, user_id, db_id, label, schema, catalog, sql, description,
                             created_by_fk, changed_by_fk, uuid)
    VALUES (${NOW_UTC}, ${NOW_UTC}, ${userId}, ${query.database_id}, ${query.label}, ${query.schema ?? null},
            ${query.catalog ?? null}, ${query.sql}, ${query.description ?? null}, ${userId}, ${userId},
            ${crypto.randomUUID()}::uuid)
    RETURNING id`)
  if (saved === undefined) throw new Error('saved_query insert returned no id')
  return saved
}
