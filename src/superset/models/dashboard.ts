/**
 * The dashboard model as list_dashboards and get_dashboard_info see it (Superset 6.1's DashboardInfo,
 * DashboardAccessFilter, and ModelListCore's filter, search and order columns).
 */
import { sql, trusted } from '../../db'
import { dashboardVisibility } from '../access'
import { auditColumns, sqlColumn, tagsColumn, urlColumn } from './columns'
import { BOOLEAN_OPERATORS, TEXT_OPERATORS, VALUE_OPERATORS } from './filters'
import { ownerFilter, ownersColumn } from './ownership'
import type { ModelSpec } from './model'

export const dashboardSpec: ModelSpec = {
  model: 'dashboard',
  readPermission: { permission: 'can_read', view: 'Dashboard' },
  listKey: 'dashboards',
  from: trusted('dashboards d'),
  alias: 'd',
  idColumn: trusted('d.id'),
  columns: {
    id: sqlColumn('int', 'Dashboard id.', 'd.id'),
    dashboard_title: sqlColumn('str', 'Title.', 'd.dashboard_title'),
    slug: sqlColumn('str', 'URL slug.', 'd.slug'),
    url: urlColumn(['id', 'slug'], (row, links) =>
      links.dashboard({ id: Number(row.id), slug: row.slug as string | null }),
    ),
    published: sqlColumn('bool', 'Published (visible beyond its owners).', 'd.published'),
    description: sqlColumn('str', 'Description.', 'd.description'),
    certified_by: sqlColumn('str', 'Certified by.', 'd.certified_by'),
    certification_details: sqlColumn('str', 'Certification details.', 'd.certification_details'),
    is_managed_externally: sqlColumn('bool', 'Managed by an external system.', 'd.is_managed_externally'),
    external_url: sqlColumn('str', 'External URL.', 'd.external_url'),
    css: sqlColumn('str', 'Custom CSS.', 'd.css'),
    position_json: sqlColumn('str', 'Layout JSON (large).', 'd.position_json'),
    json_metadata: sqlColumn('str', 'Metadata JSON: filters, colours, refresh (large).', 'd.json_metadata'),
    ...auditColumns('d'),
    chart_count: sqlColumn(
      'int',
      'Number of charts.',
      '(SELECT count(*)::int FROM dashboard_slices cc WHERE cc.dashboard_id = d.id)',
    ),
    owners: ownersColumn('dashboard', 'd'),
    tags: tagsColumn('dashboard', 'd'),
  },
  authored: [
    'dashboard_title',
    'description',
    'certified_by',
    'certification_details',
    'external_url',
    'css',
    'position_json',
    'json_metadata',
    'created_by_name',
    'changed_by_name',
    'owners.first_name',
    'owners.last_name',
    'tags.name',
    'tags.description',
  ],
  defaultColumns: [
    'id',
    'dashboard_title',
    'slug',
    'description',
    'certified_by',
    'certification_details',
    'url',
    'changed_on',
    'changed_on_humanized',
  ],
  sortable: ['id', 'dashboard_title', 'slug', 'published', 'changed_on', 'created_on'],
  searchColumns: [
    { name: 'dashboard_title', sql: trusted('d.dashboard_title') },
    { name: 'slug', sql: trusted('d.slug') },
    { name: 'uuid', sql: trusted('d.uuid') },
  ],
  filters: {
    dashboard_title: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('d.dashboard_title') },
    published: {
      type: 'bool',
      operators: BOOLEAN_OPERATORS,
      sql: trusted('d.published'),
    },
    created_by_fk: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('d.created_by_fk') },
    owner: ownerFilter('dashboard', 'd'),
    favorite: {
      type: 'bool',
      operators: ['eq', 'ne'],
      condition: (operator, value, context) => {
        const favourite = sql`EXISTS (SELECT 1 FROM favstar ff WHERE ff.class_name = 'Dashboard' AND ff.obj_id = d.id AND ff.user_id = ${context.principal.user.id})`
        return (value === true) === (operator === 'eq') ? favourite : sql`NOT ${favourite}`
      },
    },
  },
  defaultOrder: { column: 'changed_on', direction: 'asc' },
  visibility: (context) =>
    dashboardVisibility(context.principal, 'd', { dashboardRbac: context.config.superset.dashboardRbac }),
}

/** Superset 6.1's DashboardInfo fields (position_json and json_metadata only on request: they are large). */
export const DASHBOARD_INFO_COLUMNS: readonly string[] = [
  'id',
  'dashboard_title',
  'slug',
  'description',
  'css',
  'certified_by',
  'certification_details',
  'published',
  'is_managed_externally',
  'external_url',
  'created_on',
  'changed_on',
  'created_by',
  'changed_by',
  'uuid',
  'url',
  'created_on_humanized',
  'changed_on_humanized',
  'chart_count',
  'owners',
  'tags',
]
