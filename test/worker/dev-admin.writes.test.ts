/**
 * The admin tools follow Superset's permissions, not the Admin role's name: a role granted can_read on
 * User and Role reaches list_users, get_user_info, list_roles and get_role_info (and nothing else of the
 * group), and sees email addresses and role names only with data-model metadata access (can_write,
 * can_get_drill_info or can_get_or_create_dataset on Dataset), as the development branch decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { createRole, createUser } from '../helpers/db'

const READER = 'dev_admin_directory_reader'
const EDITOR = 'dev_admin_directory_editor'
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  cleanups.push(
    await createRole('Directory Reader', [
      { permission: 'can_read', view: 'User' },
      { permission: 'can_read', view: 'Role' },
    ]),
  )
  cleanups.push(await createRole('Dataset Editor', [{ permission: 'can_write', view: 'Dataset' }]))
  cleanups.push(await createUser(READER, ['Directory Reader']))
  cleanups.push(await createUser(EDITOR, ['Directory Reader', 'Dataset Editor']))
})
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

describe('a role granted can_read on User and Role', () => {
  it('is listed the user and role tools, not the RLS or log tools', async () => {
    const names = await toolNamesAs(READER)
    expect(names).toEqual(
      expect.arrayContaining(['list_users', 'get_user_info', 'list_roles', 'get_role_info']),
    )
    for (const hidden of [
      'list_rls_filters',
      'get_rls_filter_info',
      'list_action_logs',
      'get_action_log_info',
    ]) {
      expect(names).not.toContain(hidden)
    }
  })

  it('sees no email or role names without data-model metadata access', async () => {
    const listed = await callAs(READER, 'list_users', { select_columns: ['id', 'email'], page_size: 3 })
    expect(listed.users).toEqual([
      { id: 1, email: null },
      { id: 2, email: null },
      { id: 3, email: null },
    ])
    expect(await callAs(READER, 'get_user_info', { identifier: 3 })).toMatchObject({
      username: 'bob',
      email: null,
      roles: null,
    })
  })

  it('sees them with can_write on Dataset', async () => {
    const listed = await callAs(EDITOR, 'list_users', { select_columns: ['id', 'email'], page_size: 1 })
    expect(listed.users).toEqual([{ id: 1, email: 'admin@example.com' }])
    expect(await callAs(EDITOR, 'get_user_info', { identifier: 3 })).toMatchObject({
      email: 'bob@example.com',
      roles: ['Gamma', 'Sales Analyst', 'sql_lab'],
    })
  })
})
