/**
 * Superset's users and roles (Flask-AppBuilder's ab_user, ab_role) as the development branch's admin tools
 * read them: list_users, get_user_info, find_users, list_roles, get_role_info. Password hashes and every
 * other credential column stay out of every select list: the columns below are all a caller can get.
 */
import { sql, trusted, type Db, type SqlFragment } from '../../db'
import { GatewayError } from '../../errors'
import { sqlColumn, timestampColumn } from '../models/columns'
import { BOOLEAN_OPERATORS, TEXT_OPERATORS } from '../models/filters'
import type { ModelContext, ModelSpec } from '../models/model'
import type { Principal } from '../principal'

const EVERY_ROW: SqlFragment = trusted('TRUE')

/**
 * Email and role names only for callers with data-model metadata access (the development branch's
 * user_can_view_data_model_metadata: can_get_drill_info, can_get_or_create_dataset or can_write on Dataset).
 */
export function canViewUserDirectoryDetails(principal: Principal): boolean {
  return ['can_get_drill_info', 'can_get_or_create_dataset', 'can_write'].some((permission) =>
    principal.can(permission, 'Dataset'),
  )
}

const sensitive = (value: unknown, context: ModelContext): unknown =>
  canViewUserDirectoryDetails(context.principal) ? value : null

export const userSpec: ModelSpec = {
  model: 'user',
  readPermission: { permission: 'can_read', view: 'User' },
  listKey: 'users',
  from: trusted('ab_user u'),
  alias: 'u',
  idColumn: trusted('u.id'),
  columns: {
    id: sqlColumn('int', 'User id.', 'u.id'),
    username: sqlColumn('str', 'Username.', 'u.username'),
    first_name: sqlColumn('str', 'First name.', 'u.first_name'),
    last_name: sqlColumn('str', 'Last name.', 'u.last_name'),
    active: sqlColumn('bool', 'Whether the account is active.', 'u.active'),
    email: {
      type: 'str',
      description: 'Email address (only with data model metadata access).',
      sql: trusted('u.email'),
      compute: (row, context) => sensitive(row.email, context),
    },
    changed_on: timestampColumn('Last change (UTC).', 'u.changed_on'),
  },
  authored: ['first_name', 'last_name'],
  defaultColumns: ['id', 'username', 'first_name', 'last_name', 'active'],
  sortable: ['id', 'username', 'first_name', 'last_name', 'active', 'changed_on'],
  searchColumns: [
    { name: 'username', sql: trusted('u.username') },
    { name: 'first_name', sql: trusted('u.first_name') },
    { name: 'last_name', sql: trusted('u.last_name') },
  ],
  filters: {
    username: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('u.username') },
    first_name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('u.first_name') },
    last_name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('u.last_name') },
    active: { type: 'bool', operators: BOOLEAN_OPERATORS, sql: trusted('u.active') },
  },
  defaultOrder: { column: 'id', direction: 'asc' },
  visibility: () => EVERY_ROW,
}

/** get_user_info's model: the list's columns and the user's direct role names. */
export const userInfoSpec: ModelSpec = {
  ...userSpec,
  columns: {
    ...userSpec.columns,
    roles: {
      type: 'list',
      description: 'Assigned role names (only with data model metadata access).',
      sql: trusted(`COALESCE((SELECT json_agg(r.name ORDER BY r.name) FROM ab_user_role ur
                 JOIN ab_role r ON r.id = ur.role_id WHERE ur.user_id = u.id), '[]'::json)`),
      compute: (row, context) => sensitive(row.roles, context),
    },
  },
  authored: [...userSpec.authored, 'roles'],
}

export const USER_INFO_COLUMNS = [
  'id',
  'username',
  'first_name',
  'last_name',
  'active',
  'email',
  'roles',
  'changed_on',
]

export const roleSpec: ModelSpec = {
  model: 'role',
  readPermission: { permission: 'can_read', view: 'Role' },
  listKey: 'roles',
  from: trusted('ab_role r'),
  alias: 'r',
  idColumn: trusted('r.id'),
  columns: {
    id: sqlColumn('int', 'Role id.', 'r.id'),
    name: sqlColumn('str', 'Role name.', 'r.name'),
  },
  authored: ['name'],
  defaultColumns: ['id', 'name'],
  sortable: ['id', 'name'],
  searchColumns: [{ name: 'name', sql: trusted('r.name') }],
  filters: {
    name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('r.name') },
  },
  defaultOrder: { column: 'id', direction: 'asc' },
  visibility: () => EVERY_ROW,
}

/** get_role_info's model: the role and its permissions as "permission on view" pairs. */
export const roleInfoSpec: ModelSpec = {
  ...roleSpec,
  columns: {
    ...roleSpec.columns,
    permissions: {
      type: 'list',
      description: 'Permissions of the role, as "permission on view" pairs.',
      sql: trusted(`COALESCE((SELECT json_agg(p.name || ' on ' || v.name ORDER BY v.name, p.name)
                 FROM ab_permission_view_role pvr
                 JOIN ab_permission_view pv ON pv.id = pvr.permission_view_id
                 JOIN ab_permission p ON p.id = pv.permission_id
                 JOIN ab_view_menu v ON v.id = pv.view_menu_id
                WHERE pvr.role_id = r.id), '[]'::json)`),
    },
  },
  authored: [...roleSpec.authored, 'permissions'],
}

export const ROLE_INFO_COLUMNS = ['id', 'name', 'permissions']

export interface UserMatchRow {
  id: number
  username: string
  first_name: string
  last_name: string
}

const EMAIL_SHAPED = /^[^\s@]+@[^\s@]+$/

/**
 * find_users: users whose username, first or last name contains `query` (case-insensitive, `%` and `_`
 * taken literally), by username; one row more than `limit` says whether the answer was cut. Email is never
 * matched, and an email-shaped query is refused, so the tool cannot confirm that an address has an account.
 */
export async function findUsersByName(
  db: Db,
  query: string,
  limit: number,
): Promise<{ users: UserMatchRow[]; truncated: boolean }> {
  if (EMAIL_SHAPED.test(query)) {
    throw new GatewayError(
      'ValidationError',
      'find_users matches names and usernames, not email addresses: search by a name instead.',
    )
  }
  const pattern = `%${query.replace(/[\\%_]/g, (match) => `\\${match}`)}%`
  const rows = await db.query<UserMatchRow>(sql`
    SELECT u.id, u.username, u.first_name, u.last_name
      FROM ab_user u
     WHERE u.username ILIKE ${pattern} OR u.first_name ILIKE ${pattern} OR u.last_name ILIKE ${pattern}
     ORDER BY u.username ASC, u.id ASC
     LIMIT ${limit + 1}`)
  return { users: rows.slice(0, limit), truncated: rows.length > limit }
}
