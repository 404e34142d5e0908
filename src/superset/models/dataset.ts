/**
 * The dataset model (Superset's `tables`) as list_datasets and get_dataset_info see it: Superset 6.1's
 * DatasetInfo fields, DatasourceFilter visibility, and ModelListCore's filter, search and order columns.
 */
import { trusted } from '../../db'
import { datasetVisibility } from '../access'
import { auditColumns, parseJsonText, parsedJsonColumn, sqlColumn, tagsColumn, urlColumn } from './columns'
import { TEXT_OPERATORS, VALUE_OPERATORS } from './filters'
import { ownerFilter, ownersColumn } from './ownership'
import type { ColumnSpec, ModelSpec, Row } from './model'

/** Datasets keep their certification inside `extra` JSON ({"certification": {"certified_by", "details"}}). */
function certification(field: 'certified_by' | 'details', description: string): ColumnSpec {
  return {
    type: 'str',
    description,
    needs: ['extra'],
    compute: (row: Row) => {
      const extra = parseJsonText(row.extra)
      const certificationObject =
        typeof extra === 'object' && extra !== null
          ? (extra as Record<string, unknown>).certification
          : undefined
      const value =
        typeof certificationObject === 'object' && certificationObject !== null
          ? (certificationObject as Record<string, unknown>)[field]
          : undefined
      return typeof value === 'string' ? value : null
    },
  }
}

const COLUMNS_JSON = `COALESCE((SELECT json_agg(json_build_object('column_name', c.column_name, 'verbose_name', c.verbose_name,
    'type', c.type, 'is_dttm', COALESCE(c.is_dttm, false), 'groupby', COALESCE(c.groupby, true),
    'filterable', COALESCE(c.filterable, true), 'description', c.description, 'expression', NULLIF(c.expression, ''))
    ORDER BY c.id) FROM table_columns c WHERE c.table_id = t.id), '[]'::json)`

const METRICS_JSON = `COALESCE((SELECT json_agg(json_build_object('metric_name', m.metric_name, 'verbose_name', m.verbose_name,
    'expression', m.expression, 'description', m.description, 'd3format', m.d3format) ORDER BY m.id)
    FROM sql_metrics m WHERE m.table_id = t.id), '[]'::json)`

export const datasetSpec: ModelSpec = {
  model: 'dataset',
  readPermission: { permission: 'can_read', view: 'Dataset' },
  listKey: 'datasets',
  from: trusted('tables t JOIN dbs tdb ON tdb.id = t.database_id'),
  alias: 't',
  idColumn: trusted('t.id'),
  columns: {
    id: sqlColumn('int', 'Dataset id.', 't.id'),
    table_name: sqlColumn('str', 'Table name (the dataset name for virtual datasets).', 't.table_name'),
    schema: sqlColumn('str', 'Schema.', 't.schema'),
    catalog: sqlColumn('str', 'Catalog.', 't.catalog'),
    database_id: sqlColumn('int', 'Database id.', 't.database_id'),
    database_name: sqlColumn('str', 'Database name.', 'tdb.database_name'),
    description: sqlColumn('str', 'Description.', 't.description'),
    certified_by: certification('certified_by', 'Certified by.'),
    certification_details: certification('details', 'Certification details.'),
    url: urlColumn(['id'], (row, links) => links.dataset(Number(row.id))),
    is_virtual: sqlColumn(
      'bool',
      'Defined by SQL rather than a physical table.',
      "(COALESCE(t.sql, '') <> '')",
    ),
    sql: sqlColumn('str', 'SQL of a virtual dataset.', 't.sql'),
    main_dttm_col: sqlColumn('str', 'Default temporal column.', 't.main_dttm_col'),
    offset: sqlColumn('int', 'Timezone offset in hours.', 't."offset"'),
    cache_timeout: sqlColumn('int', 'Cache timeout in seconds.', 't.cache_timeout'),
    params: parsedJsonColumn('Extra parameters (JSON).', 't.params'),
    template_params: parsedJsonColumn('Jinja template parameters (JSON).', 't.template_params'),
    extra: parsedJsonColumn('Extra settings: certification, warnings (JSON).', 't.extra'),
    perm: sqlColumn('str', 'Dataset permission name.', 't.perm'),
    schema_perm: sqlColumn('str', 'Schema permission name.', 't.schema_perm'),
    catalog_perm: sqlColumn('str', 'Catalog permission name.', 't.catalog_perm'),
    is_sqllab_view: sqlColumn('bool', 'Created from SQL Lab.', 't.is_sqllab_view'),
    filter_select_enabled: sqlColumn('bool', 'Filter select enabled.', 't.filter_select_enabled'),
    fetch_values_predicate: sqlColumn(
      'str',
      'Predicate used when fetching filter values.',
      't.fetch_values_predicate',
    ),
    normalize_columns: sqlColumn('bool', 'Normalize column names.', 't.normalize_columns'),
    always_filter_main_dttm: sqlColumn(
      'bool',
      'Always filter the main temporal column.',
      't.always_filter_main_dttm',
    ),
    is_managed_externally: sqlColumn('bool', 'Managed by an external system.', 't.is_managed_externally'),
    external_url: sqlColumn('str', 'External URL.', 't.external_url'),
    // 6.1's DatasetInfo.is_favorite: getattr(dataset, "is_favorite", None) on a SqlaTable, always None.
    is_favorite: sqlColumn(
      'bool',
      'Favourited by you (Superset has no dataset favourites: null).',
      'NULL::boolean',
    ),
    ...auditColumns('t'),
    owners: ownersColumn('dataset', 't'),
    tags: tagsColumn('dataset', 't'),
    columns: {
      type: 'list',
      description: 'Columns: name, type, temporal, groupable, filterable, calculated expression.',
      sql: trusted(COLUMNS_JSON),
    },
    metrics: {
      type: 'list',
      description: 'Saved metrics: name, SQL expression, format.',
      sql: trusted(METRICS_JSON),
    },
  },
  authored: [
    'table_name',
    'database_name',
    'description',
    'certified_by',
    'certification_details',
    'sql',
    'params',
    'template_params',
    'extra',
    'perm',
    'schema_perm',
    'catalog_perm',
    'fetch_values_predicate',
    'external_url',
    // Saved metric and calculated column names are written in Superset; physical column names by whoever
    // wrote the table's DDL. Agents copy them back into chart configs: markers sent back are taken out.
    'columns.column_name',
    'metrics.metric_name',
    'columns.verbose_name',
    'columns.description',
    'columns.expression',
    'metrics.verbose_name',
    'metrics.expression',
    'metrics.description',
    'metrics.d3format',
    'created_by_name',
    'changed_by_name',
    'owners.first_name',
    'owners.last_name',
    'tags.name',
    'tags.description',
  ],
  defaultColumns: [
    'id',
    'table_name',
    'schema',
    'database_name',
    'description',
    'certified_by',
    'certification_details',
    'changed_on',
    'changed_on_humanized',
  ],
  sortable: ['id', 'table_name', 'schema', 'changed_on', 'created_on'],
  searchColumns: [
    { name: 'schema', sql: trusted('t.schema') },
    { name: 'sql', sql: trusted('t.sql') },
    { name: 'table_name', sql: trusted('t.table_name') },
    { name: 'uuid', sql: trusted('t.uuid') },
  ],
  filters: {
    table_name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('t.table_name') },
    schema: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('t.schema') },
    database_name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('tdb.database_name') },
    created_by_fk: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('t.created_by_fk') },
    owner: ownerFilter('dataset', 't'),
  },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: (context) => datasetVisibility(context.principal, 't'),
}
