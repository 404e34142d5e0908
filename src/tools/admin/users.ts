/**
 * Users and roles (development branch: superset/mcp_service/user, role, system/tool/find_users.py).
 * list/get need can_read on User or Role, which only Admin holds; find_users declares no permission in the
 * development branch (any signed-in user may resolve a name to ids for owner filters) and never matches or
 * returns email addresses.
 */
import * as z from 'zod'
import {
  findUsersByName,
  ROLE_INFO_COLUMNS,
  roleInfoSpec,
  roleSpec,
  USER_INFO_COLUMNS,
  userInfoSpec,
  userSpec,
} from '../../superset'
import { authored, defineListTool, defineTool, READ_ONLY } from '../core'
import { defineGetByIdTool } from './get-by-id'

export const listUsers = defineListTool({
  name: 'list_users',
  title: 'List users',
  description:
    'List Superset users (admin only): id, username, first and last name, active; email and changed_on on request. ' +
    'Filter columns: username, first_name, last_name, active. Selectable: id, username, first_name, last_name, ' +
    'active, email, changed_on. Never returns passwords.',
  spec: userSpec,
  schemaHint: false,
})

export const getUserInfo = defineGetByIdTool({
  name: 'get_user_info',
  title: 'Get user info',
  description:
    'One Superset user by id (admin only): username, name, active, email, role names, last change. Never returns passwords.',
  spec: userInfoSpec,
  label: 'User',
  columns: USER_INFO_COLUMNS,
})

export const findUsers = defineTool({
  name: 'find_users',
  title: 'Find users',
  description:
    "Resolve a person's name to user ids, to pass as created_by_fk or changed_by_fk filter values to " +
    'list_dashboards, list_charts or list_datasets. Matches username, first and last name (case-insensitive ' +
    'substring); never email. Not for answering who owns or may access something.',
  // The development branch's FindUsersRequest forbids extra keys (extra="forbid"): so does the gateway.
  input: z.strictObject({
    query: z
      .string()
      .max(200)
      .transform((value) => value.trim())
      .pipe(z.string().min(1, 'query must contain at least one non-whitespace character'))
      .describe('Substring of a username, first or last name (required, not an email address).'),
    page_size: z.int().min(1).max(100).default(10).describe('Most matches to return (1–100).'),
  }),
  output: z.object({
    users: z.array(
      z.object({
        id: z.int(),
        username: z.string(),
        first_name: authored(z.string()),
        last_name: authored(z.string()),
      }),
    ),
    count: z.int(),
    truncated: z.boolean(),
  }),
  annotations: READ_ONLY,
  permission: null,
  run: async (request, context) => {
    const { users, truncated } = await findUsersByName(context.db, request.query, request.page_size)
    context.effects.rowsReturned = users.length
    return { users, count: users.length, truncated }
  },
})

export const listRoles = defineListTool({
  name: 'list_roles',
  title: 'List roles',
  description: 'List Superset roles (admin only): id and name. Filter column: name.',
  spec: roleSpec,
  schemaHint: false,
})

export const getRoleInfo = defineGetByIdTool({
  name: 'get_role_info',
  title: 'Get role info',
  description: 'One Superset role by id (admin only): its name and permissions ("can_read on Dashboard", …).',
  spec: roleInfoSpec,
  label: 'Role',
  columns: ROLE_INFO_COLUMNS,
})
