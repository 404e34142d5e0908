/**
 * The calling Superset user, their roles (direct and through groups) and permission pairs, loaded in one
 * round trip per request. Everything Superset decides about access starts from this.
 */
import type { Db, SqlFragment } from '../db'
import { sql, trusted } from '../db'
import { GatewayError } from '../errors'
import type { SchemaProfile } from './schema-profile'

export interface SupersetUser {
  id: number
  username: string
  email: string
  firstName: string
  lastName: string
  active: boolean
}

export interface Role {
  id: number
  name: string
}

/** Superset's data-access grants, derived from the permission pairs (reference §5.1, §9.1). */
export interface DataAccess {
  /** `all_datasource_access` or `all_database_access` (can_access_all_datasources): every dataset and chart. */
  all: boolean
  /** `all_database_access` (can_access_all_databases): every database. */
  allDatabases: boolean
  /** View names paired with `datasource_access` (compared with `tables.perm` / `slices.perm`). */
  datasourcePerms: string[]
  /** View names paired with `schema_access`. */
  schemaPerms: string[]
  /** View names paired with `catalog_access`. */
  catalogPerms: string[]
  /** View names paired with `database_access`, and the ids in their `(id:N)` suffix. */
  databasePerms: string[]
  databaseIds: number[]
}

export interface Principal {
  user: SupersetUser
  roles: Role[]
  tenant: string
  isAdmin: boolean
  data: DataAccess
  /** Does any role of the user hold the pair (permission, view)? */
  can(permission: string, view: string): boolean
  /** Stable, sorted permission pairs `permission|view`: the input of permission fingerprints. */
  permissionKeys: readonly string[]
}

/** How an authenticated caller names their Superset user. */
export type UserLookup = { username: string } | { usernameOrEmail: string }

interface PrincipalRow {
  id: number
  username: string
  email: string
  first_name: string
  last_name: string
  active: boolean | null
  roles: Role[] | string
  permissions: [string, string][] | string
}

export interface PrincipalOptions {
  adminRole: string
  tenant: string
}

export async function loadPrincipal(
  db: Db,
  profile: SchemaProfile,
  lookup: UserLookup,
  options: PrincipalOptions,
): Promise<Principal> {
  const name = 'username' in lookup ? lookup.username : lookup.usernameOrEmail
  // Postgres text cannot hold NUL: no user has such a name, and asking would fail in the database (a 500).
  // Tokens are refused before this (src/auth/claims.ts); this covers every other way a name arrives.
  if (name.includes('\u0000')) {
    throw new GatewayError(
      'PermissionDeniedError',
      'No Superset user matches a name holding a NUL character.',
      {
        details: { reason: 'user_not_found' },
      },
    )
  }
  const [row] = await db.query<PrincipalRow>(principalQuery(profile, lookup))
  if (row === undefined) {
    throw new GatewayError(
      'PermissionDeniedError',
      `No Superset user matches "${name}". Ask a Superset administrator to create the user, or check which claim the gateway maps to the username.`,
      { details: { reason: 'user_not_found' } },
    )
  }
  if (row.active !== true) {
    throw new GatewayError('PermissionDeniedError', `The Superset user "${row.username}" is inactive.`, {
      details: { reason: 'user_inactive' },
    })
  }
  return buildPrincipal(row, options)
}

function principalQuery(profile: SchemaProfile, lookup: UserLookup): SqlFragment {
  const match =
    'username' in lookup
      ? sql`u.username = ${lookup.username}`
      : sql`(u.username = ${lookup.usernameOrEmail}
             OR (strpos(${lookup.usernameOrEmail}, '@') > 0 AND lower(u.email) = lower(${lookup.usernameOrEmail})))`
  const order =
    'username' in lookup ? trusted('u.id') : sql`(u.username = ${lookup.usernameOrEmail}) DESC, u.id`
  const groupRoles = profile.hasGroups
    ? trusted(`UNION
         SELECT gr.role_id FROM ab_user_group ug JOIN ab_group_role gr ON gr.group_id = ug.group_id
          WHERE ug.user_id = (SELECT id FROM caller)`)
    : trusted('')
  return sql`
    WITH caller AS (
      SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.active
        FROM ab_user u WHERE ${match} ORDER BY ${order} LIMIT 1
    ), role_ids AS (
      SELECT ur.role_id FROM ab_user_role ur WHERE ur.user_id = (SELECT id FROM caller)
      ${groupRoles}
    )
    SELECT c.*,
      COALESCE((SELECT json_agg(json_build_object('id', r.id, 'name', r.name) ORDER BY r.name)
                  FROM ab_role r WHERE r.id IN (SELECT role_id FROM role_ids)), '[]') AS roles,
      COALESCE((SELECT json_agg(DISTINCT jsonb_build_array(p.name, v.name))
                  FROM ab_permission_view_role pvr
                  JOIN ab_permission_view pv ON pv.id = pvr.permission_view_id
                  JOIN ab_permission p ON p.id = pv.permission_id
                  JOIN ab_view_menu v ON v.id = pv.view_menu_id
                 WHERE pvr.role_id IN (SELECT role_id FROM role_ids)), '[]') AS permissions
      FROM caller c`
}

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value
}

// get_accessible_databases: only names shaped exactly `[name].(id:N)` count.
const DATABASE_ID_SUFFIX = /^\[.+\]\.\(id:(\d+)\)$/

export function buildPrincipal(row: PrincipalRow, options: PrincipalOptions): Principal {
  const roles = parseJson(row.roles)
  const pairs = parseJson(row.permissions)
  const keys = new Set(pairs.map(([permission, view]) => `${permission}|${view}`))
  const viewsOf = (permission: string): string[] =>
    pairs
      .filter(([p]) => p === permission)
      .map(([, view]) => view)
      .sort()
  const databasePerms = viewsOf('database_access')
  const data: DataAccess = {
    all:
      keys.has('all_datasource_access|all_datasource_access') ||
      keys.has('all_database_access|all_database_access'),
    allDatabases: keys.has('all_database_access|all_database_access'),
    datasourcePerms: viewsOf('datasource_access'),
    schemaPerms: viewsOf('schema_access'),
    catalogPerms: viewsOf('catalog_access'),
    databasePerms,
    databaseIds: databasePerms
      .map((view) => DATABASE_ID_SUFFIX.exec(view)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number),
  }
  return {
    user: {
      id: row.id,
      username: row.username,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      active: row.active === true,
    },
    roles,
    tenant: options.tenant,
    isAdmin: roles.some((role) => role.name === options.adminRole),
    data,
    can: (permission, view) => keys.has(`${permission}|${view}`),
    permissionKeys: [...keys].sort(),
  }
}
