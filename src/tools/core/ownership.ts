import { GatewayError } from '../../errors'
import { isOwner, type OwnedKind } from '../../superset'
import type { ToolContext } from './definition'

/** Superset's rule for changing an object: can_write on the model (checked per tool) and ownership, or Admin. */
export async function assertCanEdit(kind: OwnedKind, id: number, context: ToolContext): Promise<void> {
  if (context.principal.isAdmin) return
  if (await isOwner(context.db, kind, id, context.principal.user.id)) return
  throw new GatewayError(
    'PermissionDeniedError',
    `Only the owners of ${kind} ${id} (or an admin) may change it.`,
    {
      details: { reason: 'not_owner', resource_type: kind, resource_id: id, permission_denied: true },
    },
  )
}
