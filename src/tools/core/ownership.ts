import { sql, trusted } from '../../db'
import { GatewayError } from '../../errors'
import type { ToolContext } from './definition'

const OWNER_TABLES = {
  dashboard: { table: 'dashboard_user', key: 'dashboard_id' },
  chart: { table: 'slice_user', key: 'slice_id' },
  dataset: { table: 'sqlatable_user', key: 'table_id' },
} as const

/** Superset's rule for changing an object: can_write on the model (checked per tool) and ownership, or Admin. */
export async function assertCanEdit(
  kind: keyof typeof OWNER_TABLES,
  id: number,
  context: ToolContext,
): Promise<void> {
  if (context.principal.isAdmin) return
  const owners = OWNER_TABLES[kind]
  const [row] = await context.db.query<{ owner: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM ${trusted(owners.table)} WHERE ${trusted(owners.key)} = ${id}
                     AND user_id = ${context.principal.user.id}) AS owner`)
  if (row?.owner !== true) {
    throw new GatewayError(
      'PermissionDeniedError',
      `Only the owners of ${kind} ${id} (or an admin) may change it.`,
      {
        details: { reason: 'not_owner', resource_type: kind, resource_id: id, permission_denied: true },
      },
    )
  }
}

/** Superset writes naive timestamps in the server's zone, UTC in practice. */
export const NOW_UTC = trusted("(now() AT TIME ZONE 'UTC')")
