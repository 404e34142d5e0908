import * as z from 'zod'
import type { SqlFragment } from '../../db'
import { sql, trusted } from '../../db'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const IdentifierSchema = z
  .union([z.int().positive(), z.string().trim().min(1)])
  .describe('Numeric id, UUID, or (dashboards only) slug.')

export type Identifier = z.output<typeof IdentifierSchema>

/**
 * Which row an identifier names: an integer (or digit string) is an id, a UUID a uuid, anything else a
 * slug where the model has one.
 */
export function identifierCondition(
  alias: string,
  identifier: Identifier,
  options: { slug: boolean },
): SqlFragment {
  if (typeof identifier === 'number') return sql`${trusted(alias)}.id = ${identifier}`
  if (/^\d+$/.test(identifier)) return sql`${trusted(alias)}.id = ${Number(identifier)}`
  if (UUID.test(identifier)) return sql`${trusted(alias)}.uuid = ${identifier.toLowerCase()}::uuid`
  if (options.slug) return sql`${trusted(alias)}.slug = ${identifier}`
  return trusted('FALSE')
}
