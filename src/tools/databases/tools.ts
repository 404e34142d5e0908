import { databaseSpec } from '../../superset'
import { defineGetTool, defineListTool } from '../core'

export const listDatabases = defineListTool({
  name: 'list_databases',
  title: 'List databases',
  description: 'List the database connections you may use in Superset (never their connection strings).',
  spec: databaseSpec,
  cache: { scope: 'permissions', dependsOn: ['database', 'dataset'] },
})

/** Superset 6.1's DatabaseInfo fields. */
const DATABASE_INFO_COLUMNS = [
  'id',
  'uuid',
  'database_name',
  'backend',
  'expose_in_sqllab',
  'allow_ctas',
  'allow_cvas',
  'allow_dml',
  'allow_file_upload',
  'allow_run_async',
  'impersonate_user',
  'cache_timeout',
  'configuration_method',
  'force_ctas_schema',
  'extra',
  'is_managed_externally',
  'external_url',
  'changed_by',
  'changed_on',
  'changed_on_humanized',
  'created_by',
  'created_on',
  'created_on_humanized',
]

export const getDatabaseInfo = defineGetTool({
  name: 'get_database_info',
  title: 'Get database details',
  description:
    'Details of one database connection by numeric id or UUID: engine, SQL Lab settings (DML allowed, async, CTAS), cache timeout.',
  spec: databaseSpec,
  label: 'Database',
  defaultColumns: DATABASE_INFO_COLUMNS,
  cache: { scope: 'permissions', dependsOn: ['database', 'dataset'] },
})
