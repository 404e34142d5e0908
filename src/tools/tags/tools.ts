/**
 * Tags (Superset's development branch, superset/mcp_service/tag/): list_tags and get_tag_info, behind
 * can_read on Tag. Every tag is listed, as Superset 6.1's tag API lists them; the objects a tag is on
 * are shown and counted only where the caller may see them (each through its own model's filter).
 */
import * as z from 'zod'
import { countVisibleTaggedObjects, tagSpec, TAGGED_OBJECT_TYPES, visibleTaggedObjects } from '../../superset'
import { authored, defineGetTool, defineListTool } from '../core'

const TAG_TABLES = ['tag', 'tagged_object'] as const

// Tags change with every tagged dashboard, chart, dataset and saved query; who sees which object
// depends on the caller (owners, saved queries' authors).
const TAG_CACHE = {
  scope: 'user',
  dependsOn: ['tag', 'dashboard', 'chart', 'dataset', 'saved_query'],
} as const

export const listTags = defineListTool({
  name: 'list_tags',
  title: 'List tags',
  description: 'List tags (name, type, description); object_count counts the tagged objects you can see.',
  spec: tagSpec,
  cache: TAG_CACHE,
  requiresTables: TAG_TABLES,
  complete: async (items, columns, context) => {
    if (!columns.includes('object_count')) return
    // object_count holds each tag's id until counted (tagSpec).
    const tagIds = items.map((item) => Number(item.object_count))
    const counts = await countVisibleTaggedObjects(context, tagIds)
    for (const item of items) item.object_count = counts.get(Number(item.object_count)) ?? 0
  },
})

/** The development branch's TagInfo, and the objects the tag is on (visible ones only). */
const TAG_INFO_COLUMNS = [
  'id',
  'name',
  'type',
  'description',
  'changed_on',
  'changed_on_humanized',
  'created_on',
  'created_on_humanized',
]

const TaggedObjectSchema = z.object({
  id: z.int(),
  type: z.enum(TAGGED_OBJECT_TYPES),
  name: authored(z.string()).nullable(),
  url: z.string(),
  changed_on: z.string().nullable(),
  changed_on_humanized: z.string().nullable(),
})

export const getTagInfo = defineGetTool({
  name: 'get_tag_info',
  title: 'Get tag info',
  description:
    'A tag by id, with the dashboards, charts, datasets and saved queries carrying it that you can see.',
  spec: tagSpec,
  label: 'Tag',
  defaultColumns: TAG_INFO_COLUMNS,
  identifier: z.int().positive().describe('Tag identifier — numeric ID.'),
  output: { objects: z.array(TaggedObjectSchema).optional(), object_count: z.int().optional() },
  cache: TAG_CACHE,
  requiresTables: TAG_TABLES,
  complete: async (item, _columns, context) => {
    const objects = (await visibleTaggedObjects(context, [Number(item.id)])).get(Number(item.id)) ?? []
    return { ...item, objects, object_count: objects.length }
  },
})
