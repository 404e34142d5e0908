/**
 * Themes (Superset's `themes`, models/core.py Theme): antd design-token documents that dashboards and
 * the instance can use. Superset filters no theme rows: whoever holds can_read on Theme sees them all.
 * New themes are never system themes (is_system false), as Superset's create does.
 */
import { sql, trusted, type Db } from '../../db'
import { humanized, sqlColumn, timestampColumn } from '../models/columns'
import { TEXT_OPERATORS } from '../models/filters'
import type { ModelSpec } from '../models/model'
import { NOW_UTC } from '../timestamps'

/** The development branch's ThemeInfo fields (mcp_service/theme/schemas.py), in its order. */
export const THEME_COLUMNS = [
  'id',
  'theme_name',
  'json_data',
  'uuid',
  'is_system',
  'is_system_default',
  'is_system_dark',
  'changed_on',
  'changed_on_humanized',
  'created_on',
  'created_on_humanized',
] as const

export const themeSpec: ModelSpec = {
  model: 'theme',
  readPermission: { permission: 'can_read', view: 'Theme' },
  listKey: 'themes',
  from: trusted('themes th'),
  alias: 'th',
  idColumn: trusted('th.id'),
  columns: {
    id: sqlColumn('int', 'Theme id.', 'th.id'),
    theme_name: sqlColumn('str', 'Theme name.', 'th.theme_name'),
    json_data: sqlColumn(
      'str',
      'The antd design-token configuration, as the JSON text stored.',
      'th.json_data',
    ),
    uuid: sqlColumn('str', 'UUID.', 'th.uuid::text'),
    is_system: sqlColumn(
      'bool',
      'A system theme (managed by Superset or its configuration).',
      'th.is_system',
    ),
    is_system_default: sqlColumn('bool', 'The default theme of the instance.', 'th.is_system_default'),
    is_system_dark: sqlColumn('bool', 'The dark theme of the instance.', 'th.is_system_dark'),
    changed_on: timestampColumn('Last change (UTC).', 'th.changed_on'),
    changed_on_humanized: humanized('changed_on', 'Last change, relative ("3 days ago").'),
    created_on: timestampColumn('Creation time (UTC).', 'th.created_on'),
    created_on_humanized: humanized('created_on', 'Creation time, relative ("3 days ago").'),
  },
  authored: ['theme_name', 'json_data'],
  defaultColumns: ['id', 'theme_name', 'is_system_default', 'is_system_dark'],
  sortable: ['id', 'theme_name', 'changed_on', 'created_on'],
  searchColumns: [{ name: 'theme_name', sql: trusted('th.theme_name') }],
  filters: {
    theme_name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('th.theme_name') },
  },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: () => trusted('TRUE'),
}

export interface NewTheme {
  theme_name: string
  /** The configuration as it is stored: JSON text of an object. */
  json_data: string
}

/** Inserts a user theme (never a system one); one statement, so nothing is half-written. */
export async function insertTheme(
  db: Db,
  theme: NewTheme,
  userId: number,
): Promise<{ id: number; uuid: string }> {
  const [row] = await db.query<{ id: number; uuid: string }>(sql`
    INSERT INTO themes (uuid, created_on, changed_on, theme_name, json_data, is_system, is_system_default,
                        is_system_dark, created_by_fk, changed_by_fk)
    VALUES (${crypto.randomUUID()}::uuid, ${NOW_UTC}, ${NOW_UTC}, ${theme.theme_name}, ${theme.json_data},
            false, false, false, ${userId}, ${userId})
    RETURNING id, uuid::text AS uuid`)
  if (row === undefined) throw new Error('themes insert returned no id')
  return row
}
