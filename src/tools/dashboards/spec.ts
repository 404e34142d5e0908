/**
 * The dashboard model as list_dashboards and get_dashboard_info see it (Superset 6.1's DashboardInfo,
 * DashboardAccessFilter, and ModelListCore's filter, search and order columns).
 */
import { sql, trusted } from '../../db'
import { dashboardVisibility } from '../../superset'
import {
  auditUserColumns,
  humanized,
  ownersColumn,
  sqlColumn,
  tagsColumn,
  timestampColumn,
  urlColumn,
} from '../core/columns'
import type { ModelSpec, Operator } from '../core/list'

export const TEXT_OPERATORS: readonly Operator[] = [
  'eq',
  'ne',
  'sw',
  'ew',
  'in',
  'nin',
  'like',
  'ilike',
  'is_null',
  'is_not_null',
]
export const VALUE_OPERATORS: readonly Operator[] = [
  'eq',
  'ne',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'is_null',
  'is_not_null',
]
export const RELATION_OPERATORS: readonly Operator[] = ['eq', 'ne', 'in', 'nin']

/** The user ids a relationship filter names (`in`/`nin` take a list, the others one id). */
export function userIds(value: unknown): number[] {
  return (Array.isArray(value) ? value : [value]).map(Number)
}

export const dashboardSpec: ModelSpec = {
  model: 'dashboard',
  listKey: 'dashboards',
  from: trusted('dashboards d'),
  idColumn: trusted('d.id'),
  columns: {
    id: sqlColumn('int', 'Dashboard id.', 'd.id'),
    dashboard_title: sqlColumn('str', 'Title.', 'd.dashboard_title'),
    slug: sqlColumn('str', 'URL slug.', 'd.slug'),
    uuid: sqlColumn('str', 'UUID.', 'd.uuid::text'),
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
    created_on: timestampColumn('Creation time (UTC).', 'd.created_on'),
    changed_on: timestampColumn('Last change (UTC).', 'd.changed_on'),
    created_by_fk: sqlColumn('int', 'Id of the creating user.', 'd.created_by_fk'),
    changed_by_fk: sqlColumn('int', 'Id of the last changing user.', 'd.changed_by_fk'),
    ...auditUserColumns('d', 'created'),
    ...auditUserColumns('d', 'changed'),
    created_on_humanized: humanized('created_on', 'Creation time, relative ("3 days ago").'),
    changed_on_humanized: humanized('changed_on', 'Last change, relative ("3 days ago").'),
    chart_count: sqlColumn(
      'int',
      'Number of charts.',
      '(SELECT count(*)::int FROM dashboard_slices cc WHERE cc.dashboard_id = d.id)',
    ),
    owners: ownersColumn('dashboard_user', 'dashboard_id', 'd'),
    tags: tagsColumn('dashboard', 'd'),
  },
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
  searchColumns: [trusted('d.dashboard_title'), trusted('d.slug'), trusted('d.uuid')],
  filters: {
    dashboard_title: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('d.dashboard_title') },
    published: {
      type: 'bool',
      operators: ['eq', 'ne', 'is_null', 'is_not_null'],
      sql: trusted('d.published'),
    },
    created_by_fk: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('d.created_by_fk') },
    owner: {
      type: 'int',
      operators: RELATION_OPERATORS,
      condition: (operator, value) => {
        const owned = sql`EXISTS (SELECT 1 FROM dashboard_user fo WHERE fo.dashboard_id = d.id AND fo.user_id = ANY(${userIds(value)}))`
        return operator === 'ne' || operator === 'nin' ? sql`NOT ${owned}` : owned
      },
    },
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
