/** A Superset database by id, if the caller may see it: what every tool that takes a database_id needs first. */
import { GatewayError } from '../../errors'
import { type AnalyticsDatabase } from '../../query'
import { databaseVisibility, findVisibleDatabase, findDatabase } from '../../superset'
import type { ToolContext } from './definition'

/** The database, if the caller may see it (hidden reads as missing). */
export async function visibleDatabase(
  id: number,
  context: ToolContext,
): Promise<{ id: number; database_name: string }> {
  const database = await findVisibleDatabase(context.db, id, context.principal)
  if (database === undefined) throw databaseNotFound(id)
  return database
}

/** The database with what running SQL on it needs, if the caller may see it (hidden reads as missing). */
export async function visibleAnalyticsDatabase(id: number, context: ToolContext): Promise<AnalyticsDatabase> {
  const database = await findDatabase(context.db, id, databaseVisibility(context.principal, 'db'))
  if (database === undefined) throw databaseNotFound(id)
  return database
}

export function databaseNotFound(id: number): GatewayError {
  return new GatewayError('NotFoundError', `Database with identifier '${id}' not found`, {
    details: { resource_type: 'database', resource_id: id },
  })
}
