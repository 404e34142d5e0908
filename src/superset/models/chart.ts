/**
 * The chart model (Superset's `slices`) as list_charts and get_chart_info see it: Superset 6.1's
 * ChartInfo fields, ChartFilter visibility, and ModelListCore's filter, search and order columns.
 */
import { sql, trusted } from '../../db'
import { chartVisibility } from '../access'
import { auditColumns, parsedJsonColumn, sqlColumn, tagsColumn, urlColumn } from './columns'
import { RELATION_OPERATORS, TEXT_OPERATORS, VALUE_OPERATORS, idList } from './filters'
import { ownerFilter, ownersColumn } from './ownership'
import type { ModelSpec } from './model'

export const chartSpec: ModelSpec = {
  model: 'chart',
  readPermission: { permission: 'can_read', view: 'Chart' },
  listKey: 'charts',
  from: trusted('slices s'),
  alias: 's',
  idColumn: trusted('s.id'),
  columns: {
    id: sqlColumn('int', 'Chart id.', 's.id'),
    slice_name: sqlColumn('str', 'Chart name.', 's.slice_name'),
    viz_type: sqlColumn('str', 'Visualization type (table, echarts_timeseries_line, pie, …).', 's.viz_type'),
    description: sqlColumn('str', 'Description.', 's.description'),
    url: urlColumn(['id'], (row, links) => links.chart(Number(row.id))),
    datasource_id: sqlColumn('int', 'Dataset id.', 's.datasource_id'),
    datasource_type: sqlColumn('str', 'Datasource type (table).', 's.datasource_type'),
    datasource_name: sqlColumn('str', 'Dataset name (schema.table).', 's.datasource_name'),
    cache_timeout: sqlColumn('int', 'Cache timeout in seconds.', 's.cache_timeout'),
    certified_by: sqlColumn('str', 'Certified by.', 's.certified_by'),
    certification_details: sqlColumn('str', 'Certification details.', 's.certification_details'),
    is_managed_externally: sqlColumn('bool', 'Managed by an external system.', 's.is_managed_externally'),
    external_url: sqlColumn('str', 'External URL.', 's.external_url'),
    form_data: parsedJsonColumn("The chart's saved form data (params), parsed.", 's.params'),
    params: sqlColumn('str', 'The saved form data as stored (JSON text).', 's.params'),
    query_context: sqlColumn('str', 'The saved query context (JSON text; large).', 's.query_context'),
    perm: sqlColumn('str', 'Dataset permission copied to the chart.', 's.perm'),
    schema_perm: sqlColumn('str', 'Schema permission copied to the chart.', 's.schema_perm'),
    catalog_perm: sqlColumn('str', 'Catalog permission copied to the chart.', 's.catalog_perm'),
    last_saved_at: sqlColumn(
      'datetime',
      'Last save time.',
      `to_char(s.last_saved_at, 'YYYY-MM-DD"T"HH24:MI:SS.US')`,
    ),
    last_saved_by_fk: sqlColumn('int', 'Id of the user who saved it last.', 's.last_saved_by_fk'),
    ...auditColumns('s'),
    owners: ownersColumn('chart', 's'),
    tags: tagsColumn('chart', 's'),
  },
  authored: [
    'slice_name',
    'description',
    'datasource_name',
    'certified_by',
    'certification_details',
    'external_url',
    'form_data',
    'params',
    'query_context',
    'perm',
    'schema_perm',
    'catalog_perm',
    'created_by_name',
    'changed_by_name',
    'owners.first_name',
    'owners.last_name',
    'tags.name',
    'tags.description',
  ],
  defaultColumns: [
    'id',
    'slice_name',
    'viz_type',
    'description',
    'certified_by',
    'certification_details',
    'url',
    'changed_on',
    'changed_on_humanized',
  ],
  sortable: ['id', 'slice_name', 'viz_type', 'description', 'changed_on', 'created_on'],
  searchColumns: [
    { name: 'slice_name', sql: trusted('s.slice_name') },
    { name: 'description', sql: trusted('s.description') },
  ],
  filters: {
    slice_name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('s.slice_name') },
    viz_type: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('s.viz_type') },
    datasource_name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('s.datasource_name') },
    created_by_fk: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('s.created_by_fk') },
    changed_by_fk: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('s.changed_by_fk') },
    owner: ownerFilter('chart', 's'),
    dashboards: {
      type: 'int',
      operators: RELATION_OPERATORS,
      condition: (operator, value) => {
        const onDashboard = sql`EXISTS (SELECT 1 FROM dashboard_slices fd WHERE fd.slice_id = s.id AND fd.dashboard_id = ANY(${idList(value)}))`
        return operator === 'ne' || operator === 'nin' ? sql`NOT ${onDashboard}` : onDashboard
      },
    },
  },
  defaultOrder: { column: 'changed_on', direction: 'asc' },
  visibility: (context) => chartVisibility(context.principal, 's'),
}
