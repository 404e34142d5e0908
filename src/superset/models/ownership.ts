/**
 * Who owns a dashboard, a chart or a dataset: Superset's owner junction tables, known here once. The
 * `owner` filter of the list tools, the `owners` column, the edit rule and new objects' first owner all go
 * through this module, so a change of Superset's ownership schema (the newer editors/viewers `subjects`)
 * is a change here.
 */
import { sql, trusted, type Db, type SqlFragment } from '../../db'
import type { ColumnSpec, FilterSpec } from './model'
import { RELATION_OPERATORS, idList } from './filters'

const OWNER_TABLES = {
  dashboard: { table: 'dashboard_user', key: 'dashboard_id' },
  chart: { table: 'slice_user', key: 'slice_id' },
  dataset: { table: 'sqlatable_user', key: 'table_id' },
} as const

export type OwnedKind = keyof typeof OWNER_TABLES

/** `<alias>.id` is owned by one of `userIds`. */
function ownedBy(kind: OwnedKind, alias: string, userIds: readonly number[]): SqlFragment {
  const owners = OWNER_TABLES[kind]
  return sql`EXISTS (SELECT 1 FROM ${trusted(owners.table)} fo
                      WHERE fo.${trusted(owners.key)} = ${trusted(alias)}.id AND fo.user_id = ANY(${userIds}))`
}

/** The list tools' `owner` filter (Superset's owner relation filter): eq/in, or ne/nin for "not owned by". */
export function ownerFilter(kind: OwnedKind, alias: string): FilterSpec {
  return {
    type: 'int',
    operators: RELATION_OPERATORS,
    condition: (operator, value) => {
      const owned = ownedBy(kind, alias, idList(value))
      return operator === 'ne' || operator === 'nin' ? sql`NOT ${owned}` : owned
    },
  }
}

/** Owners as Superset 6.1 lists them (UserInfo): id, username, names, email, active, role names. */
export function ownersColumn(kind: OwnedKind, alias: string): ColumnSpec {
  const owners = OWNER_TABLES[kind]
  return {
    type: 'list',
    description: 'Owners of the object.',
    sql: sql`COALESCE((SELECT json_agg(json_build_object('id', ou.id, 'username', ou.username,
                'first_name', ou.first_name, 'last_name', ou.last_name, 'email', ou.email, 'active', ou.active,
                'roles', COALESCE((SELECT json_agg(orl.name ORDER BY orl.name) FROM ab_user_role our
                                     JOIN ab_role orl ON orl.id = our.role_id WHERE our.user_id = ou.id), '[]'::json))
                ORDER BY ou.id)
              FROM ${trusted(owners.table)} oj JOIN ab_user ou ON ou.id = oj.user_id
             WHERE oj.${trusted(owners.key)} = ${trusted(alias)}.id), '[]'::json)`,
  }
}

/** Whether the user is one of the object's owners. */
export async function isOwner(db: Db, kind: OwnedKind, id: number, userId: number): Promise<boolean> {
  const owners = OWNER_TABLES[kind]
  const [row] = await db.query<{ owner: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM ${trusted(owners.table)} WHERE ${trusted(owners.key)} = ${id}
                     AND user_id = ${userId}) AS owner`)
  return row?.owner === true
}

/** Makes the user an owner of the object (its creator, as Superset does on create). */
export async function addOwner(db: Db, kind: OwnedKind, id: number, userId: number): Promise<void> {
  const owners = OWNER_TABLES[kind]
  await db.query(sql`
    INSERT INTO ${trusted(owners.table)} (${trusted(owners.key)}, user_id) VALUES (${id}, ${userId})`)
}
