/**
 * Tags (superset/tags/models.py: Tag, TaggedObject) as list_tags and get_tag_info read them. Superset
 * 6.1's tag API has no base filter: whoever holds can_read on Tag sees every tag. The objects a tag is
 * on are another matter: each kind goes through its own model's filter, as 6.1's TagDAO does when it
 * looks the tagged ids up through DashboardDAO, ChartDAO and SavedQueryDAO (base filters applied), so a
 * tag never reveals, by name or by count, an object its caller could not list.
 */
import { and, or, sql, trusted, type SqlFragment } from '../../db'
import { naturalTime } from '../humanize'
import { chartSpec } from '../models/chart'
import { humanized, parseNaiveTimestamp, sqlColumn, timestampColumn } from '../models/columns'
import { dashboardSpec } from '../models/dashboard'
import { datasetSpec } from '../models/dataset'
import { TEXT_OPERATORS } from '../models/filters'
import type { ModelContext, ModelSpec } from '../models/model'
import { countableRows } from './instance'

/** Kinds of tagged objects (tagged_object.object_type), in the order get_tag_info lists them. */
export const TAGGED_OBJECT_TYPES = ['dashboard', 'chart', 'dataset', 'query'] as const
export type TaggedObjectType = (typeof TAGGED_OBJECT_TYPES)[number]

/**
 * SavedQueryFilter: a saved query is its creator's alone (created_by, admins included), behind can_read on
 * SavedQuery.
 */
function savedQueryRows(context: ModelContext): SqlFragment {
  return context.principal.can('can_read', 'SavedQuery')
    ? sql`sq.created_by_fk = ${context.principal.user.id}`
    : trusted('FALSE')
}

/**
 * The tagged_object rows (aliased `alias`) whose object the caller may list: a dashboard through
 * DashboardAccessFilter, a chart through ChartFilter, a dataset through DatasourceFilter, a saved query
 * its author's; each behind its model's can_read.
 */
export function visibleTaggedObject(context: ModelContext, alias: string): SqlFragment {
  const a = trusted(alias)
  return or([
    sql`(${a}.object_type::text = 'dashboard' AND EXISTS (
          SELECT 1 FROM ${dashboardSpec.from} WHERE d.id = ${a}.object_id AND ${countableRows(dashboardSpec, context)}))`,
    sql`(${a}.object_type::text = 'chart' AND EXISTS (
          SELECT 1 FROM ${chartSpec.from} WHERE s.id = ${a}.object_id AND ${countableRows(chartSpec, context)}))`,
    sql`(${a}.object_type::text = 'dataset' AND EXISTS (
          SELECT 1 FROM ${datasetSpec.from} WHERE t.id = ${a}.object_id AND ${countableRows(datasetSpec, context)}))`,
    sql`(${a}.object_type::text = 'query' AND EXISTS (
          SELECT 1 FROM saved_query sq WHERE sq.id = ${a}.object_id AND ${savedQueryRows(context)}))`,
  ])
}

/** The tag model as list_tags and get_tag_info see it (the development branch's TagInfo). */
export const tagSpec: ModelSpec = {
  model: 'tag',
  readPermission: { permission: 'can_read', view: 'Tag' },
  listKey: 'tags',
  from: trusted('tag tg'),
  alias: 'tg',
  idColumn: trusted('tg.id'),
  columns: {
    id: sqlColumn('int', 'Tag id.', 'tg.id'),
    name: sqlColumn('str', 'Tag name.', 'tg.name'),
    type: sqlColumn(
      'str',
      'Tag type: custom (user-created), or the implicit type, owner, favorited_by.',
      'tg.type::text',
    ),
    description: sqlColumn('str', 'Description.', 'tg.description'),
    changed_on: timestampColumn('Last change (UTC).', 'tg.changed_on'),
    changed_on_humanized: humanized('changed_on', 'Last change, relative ("3 days ago").'),
    created_on: timestampColumn('Creation time (UTC).', 'tg.created_on'),
    created_on_humanized: humanized('created_on', 'Creation time, relative ("3 days ago").'),
    // Depends on who asks, so it is counted after the page is read (countVisibleTaggedObjects): the
    // page holds the tag's id here until then, whether or not `id` itself was asked for.
    object_count: {
      type: 'int',
      description: 'Number of tagged objects (dashboards, charts, datasets, saved queries) you can see.',
      needs: ['id'],
      compute: (row) => Number(row.id),
    },
  },
  authored: ['name', 'description'],
  defaultColumns: ['id', 'name', 'type'],
  sortable: ['id', 'name', 'changed_on', 'created_on'],
  searchColumns: [{ name: 'name', sql: trusted('tg.name') }],
  filters: {
    name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('tg.name') },
    type: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('tg.type::text') },
  },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: () => trusted('TRUE'),
}

/** How many of each tag's objects the caller may see, by tag id (tags on nothing visible count 0). */
export async function countVisibleTaggedObjects(
  context: ModelContext,
  tagIds: readonly number[],
): Promise<Map<number, number>> {
  const counts = new Map<number, number>(tagIds.map((id) => [id, 0]))
  if (tagIds.length === 0) return counts
  const rows = await context.db.query<{ tag_id: number; n: number }>(sql`
    SELECT tob.tag_id, count(*)::int AS n FROM tagged_object tob
     WHERE ${and([sql`tob.tag_id = ANY(${[...tagIds]}::int[])`, visibleTaggedObject(context, 'tob')])}
     GROUP BY tob.tag_id`)
  for (const row of rows) counts.set(row.tag_id, row.n)
  return counts
}

export interface TaggedObject {
  id: number
  type: TaggedObjectType
  name: string | null
  url: string
  changed_on: string | null
  changed_on_humanized: string | null
}

interface TaggedObjectRow {
  tag_id: number
  object_id: number
  object_type: TaggedObjectType
  name: string | null
  changed_on: string | null
}

/**
 * The objects carrying the given tags that the caller may see (6.1's get_objects entities: id, type,
 * name, url, changed_on), by tag id, dashboards first, then charts, datasets and saved queries, by id.
 */
export async function visibleTaggedObjects(
  context: ModelContext,
  tagIds: readonly number[],
): Promise<Map<number, TaggedObject[]>> {
  const byTag = new Map<number, TaggedObject[]>()
  if (tagIds.length === 0) return byTag
  const rows = await context.db.query<TaggedObjectRow>(sql`
    SELECT tob.tag_id, tob.object_id, tob.object_type::text AS object_type,
           CASE tob.object_type::text
             WHEN 'dashboard' THEN (SELECT od.dashboard_title FROM dashboards od WHERE od.id = tob.object_id)
             WHEN 'chart' THEN (SELECT os.slice_name FROM slices os WHERE os.id = tob.object_id)
             WHEN 'dataset' THEN (SELECT ot.table_name FROM tables ot WHERE ot.id = tob.object_id)
             WHEN 'query' THEN (SELECT oq.label FROM saved_query oq WHERE oq.id = tob.object_id)
           END AS name,
           to_char(CASE tob.object_type::text
             WHEN 'dashboard' THEN (SELECT od.changed_on FROM dashboards od WHERE od.id = tob.object_id)
             WHEN 'chart' THEN (SELECT os.changed_on FROM slices os WHERE os.id = tob.object_id)
             WHEN 'dataset' THEN (SELECT ot.changed_on FROM tables ot WHERE ot.id = tob.object_id)
             WHEN 'query' THEN (SELECT oq.changed_on FROM saved_query oq WHERE oq.id = tob.object_id)
           END, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS changed_on
      FROM tagged_object tob
     WHERE ${and([sql`tob.tag_id = ANY(${[...tagIds]}::int[])`, visibleTaggedObject(context, 'tob')])}
     ORDER BY tob.tag_id,
              array_position(${[...TAGGED_OBJECT_TYPES]}::text[], tob.object_type::text), tob.object_id`)
  for (const row of rows) {
    const list = byTag.get(row.tag_id) ?? []
    const changed = parseNaiveTimestamp(row.changed_on)
    list.push({
      id: row.object_id,
      type: row.object_type,
      name: row.name,
      url: objectUrl(context, row.object_type, row.object_id),
      changed_on: row.changed_on,
      changed_on_humanized: changed === null ? null : naturalTime(changed, context.now),
    })
    byTag.set(row.tag_id, list)
  }
  return byTag
}

function objectUrl(context: ModelContext, type: TaggedObjectType, id: number): string {
  switch (type) {
    case 'dashboard':
      return context.links.dashboard({ id })
    case 'chart':
      return context.links.chart(id)
    case 'dataset':
      return context.links.dataset(id)
    case 'query':
      return `${context.links.base}/sqllab?savedQueryId=${id}`
  }
}
