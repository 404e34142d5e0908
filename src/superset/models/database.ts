/**
 * The database model (Superset's `dbs`) as list_databases and get_database_info see it. Connection
 * secrets (sqlalchemy_uri, password, encrypted_extra, server_cert) are never selectable.
 */
import { trusted } from '../../db'
import { databaseVisibility } from '../access'
import { auditColumns, parsedJsonColumn, sqlColumn } from './columns'
import { BOOLEAN_OPERATORS, TEXT_OPERATORS, VALUE_OPERATORS } from './filters'
import type { ModelSpec } from './model'

/** The engine, from the URI's scheme (`postgresql+psycopg2://…` → postgresql) without exposing the URI. */
export const BACKEND_SQL = "split_part(split_part(db.sqlalchemy_uri, ':', 1), '+', 1)"

export const databaseSpec: ModelSpec = {
  model: 'database',
  readPermission: { permission: 'can_read', view: 'Database' },
  listKey: 'databases',
  from: trusted('dbs db'),
  alias: 'db',
  idColumn: trusted('db.id'),
  columns: {
    id: sqlColumn('int', 'Database id.', 'db.id'),
    database_name: sqlColumn('str', 'Database name.', 'db.database_name'),
    verbose_name: sqlColumn('str', 'Display name.', 'db.verbose_name'),
    backend: sqlColumn('str', 'Engine (postgresql, mysql, …).', BACKEND_SQL),
    expose_in_sqllab: sqlColumn('bool', 'Shown in SQL Lab.', 'db.expose_in_sqllab'),
    allow_run_async: sqlColumn('bool', 'Queries run asynchronously.', 'db.allow_run_async'),
    allow_dml: sqlColumn('bool', 'SQL Lab may run DML (INSERT, UPDATE, DELETE, DDL).', 'db.allow_dml'),
    allow_file_upload: sqlColumn('bool', 'File uploads allowed.', 'db.allow_file_upload'),
    allow_ctas: sqlColumn('bool', 'CREATE TABLE AS allowed.', 'db.allow_ctas'),
    allow_cvas: sqlColumn('bool', 'CREATE VIEW AS allowed.', 'db.allow_cvas'),
    select_as_create_table_as: sqlColumn(
      'bool',
      'SELECTs run as CREATE TABLE AS.',
      'db.select_as_create_table_as',
    ),
    impersonate_user: sqlColumn('bool', 'Queries run as the Superset user.', 'db.impersonate_user'),
    force_ctas_schema: sqlColumn('str', 'Schema CTAS tables go to.', 'db.force_ctas_schema'),
    cache_timeout: sqlColumn('int', 'Cache timeout in seconds.', 'db.cache_timeout'),
    configuration_method: sqlColumn('str', 'How the connection was configured.', 'db.configuration_method'),
    extra: parsedJsonColumn('Extra settings (JSON).', 'db.extra'),
    is_managed_externally: sqlColumn('bool', 'Managed by an external system.', 'db.is_managed_externally'),
    external_url: sqlColumn('str', 'External URL.', 'db.external_url'),
    ...auditColumns('db'),
  },
  authored: ['database_name', 'verbose_name', 'extra', 'external_url', 'created_by_name', 'changed_by_name'],
  defaultColumns: [
    'id',
    'database_name',
    'backend',
    'expose_in_sqllab',
    'changed_on',
    'changed_on_humanized',
  ],
  sortable: ['id', 'database_name', 'changed_on', 'created_on'],
  searchColumns: [{ name: 'database_name', sql: trusted('db.database_name') }],
  filters: {
    database_name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('db.database_name') },
    expose_in_sqllab: { type: 'bool', operators: BOOLEAN_OPERATORS, sql: trusted('db.expose_in_sqllab') },
    allow_file_upload: { type: 'bool', operators: BOOLEAN_OPERATORS, sql: trusted('db.allow_file_upload') },
    created_by_fk: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('db.created_by_fk') },
    changed_by_fk: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('db.changed_by_fk') },
  },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: (context) => databaseVisibility(context.principal, 'db'),
}
