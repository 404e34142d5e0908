/**
 * Annotation layers and their annotations (Superset's `annotation_layer` and `annotation`,
 * models/annotations.py): named sets of time points and intervals that charts overlay. Superset filters
 * no rows of either: whoever holds can_read on Annotation sees them all. An annotation is read through its
 * layer: the same id in another layer is not found.
 */
import { sql, trusted, type Db } from '../../db'
import { sqlColumn, timestampColumn } from '../models/columns'
import { TEXT_OPERATORS } from '../models/filters'
import type { ModelSpec } from '../models/model'

/** The development branch's AnnotationLayerInfo fields (mcp_service/annotation_layer/schemas.py). */
export const ANNOTATION_LAYER_COLUMNS = ['id', 'name', 'descr', 'changed_on', 'created_on'] as const
/** Its AnnotationInfo fields. */
export const ANNOTATION_COLUMNS = [
  'id',
  'short_descr',
  'long_descr',
  'start_dttm',
  'end_dttm',
  'json_metadata',
  'layer_id',
] as const

export const annotationLayerSpec: ModelSpec = {
  model: 'annotation_layer',
  readPermission: { permission: 'can_read', view: 'Annotation' },
  listKey: 'annotation_layers',
  from: trusted('annotation_layer al'),
  alias: 'al',
  idColumn: trusted('al.id'),
  columns: {
    id: sqlColumn('int', 'Annotation layer id.', 'al.id'),
    name: sqlColumn('str', 'Layer name.', 'al.name'),
    descr: sqlColumn('str', 'Layer description.', 'al.descr'),
    changed_on: timestampColumn('Last change (UTC).', 'al.changed_on'),
    created_on: timestampColumn('Creation time (UTC).', 'al.created_on'),
  },
  authored: ['name', 'descr'],
  defaultColumns: ['id', 'name', 'descr'],
  sortable: ['id', 'name', 'changed_on', 'created_on'],
  searchColumns: [
    { name: 'name', sql: trusted('al.name') },
    { name: 'descr', sql: trusted('al.descr') },
  ],
  filters: { name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('al.name') } },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: () => trusted('TRUE'),
}

/** Annotations of every layer; list and read them through `annotationsOfLayer`. */
export const annotationSpec: ModelSpec = {
  model: 'annotation',
  readPermission: { permission: 'can_read', view: 'Annotation' },
  listKey: 'annotations',
  from: trusted('annotation an'),
  alias: 'an',
  idColumn: trusted('an.id'),
  columns: {
    id: sqlColumn('int', 'Annotation id.', 'an.id'),
    short_descr: sqlColumn('str', 'Short description (the label charts show).', 'an.short_descr'),
    long_descr: sqlColumn('str', 'Long description.', 'an.long_descr'),
    start_dttm: timestampColumn('Start (UTC).', 'an.start_dttm'),
    end_dttm: timestampColumn('End (UTC); equal to the start for a point in time.', 'an.end_dttm'),
    json_metadata: sqlColumn('str', 'Extra metadata, as the JSON text stored.', 'an.json_metadata'),
    layer_id: sqlColumn('int', 'Id of the annotation layer.', 'an.layer_id'),
  },
  authored: ['short_descr', 'long_descr', 'json_metadata'],
  defaultColumns: ['id', 'short_descr', 'start_dttm', 'end_dttm', 'layer_id'],
  sortable: ['id', 'short_descr', 'start_dttm', 'end_dttm'],
  searchColumns: [
    { name: 'short_descr', sql: trusted('an.short_descr') },
    { name: 'long_descr', sql: trusted('an.long_descr') },
  ],
  filters: { short_descr: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('an.short_descr') } },
  // Superset's ModelListCore default order (changed_on) is no column of AnnotationInfo: newest start first.
  defaultOrder: { column: 'start_dttm', direction: 'desc' },
  visibility: () => trusted('TRUE'),
}

/** The annotations of one layer, as their own model. */
export function annotationsOfLayer(layerId: number): ModelSpec {
  return { ...annotationSpec, visibility: () => sql`an.layer_id = ${layerId}` }
}

/** Whether the annotation layer exists. */
export async function annotationLayerExists(db: Db, layerId: number): Promise<boolean> {
  const rows = await db.query<{ id: number }>(sql`SELECT id FROM annotation_layer WHERE id = ${layerId}`)
  return rows.length > 0
}

/** The layer an annotation belongs to, or undefined when there is no such annotation. */
export async function layerOfAnnotation(db: Db, annotationId: number): Promise<number | null | undefined> {
  const [row] = await db.query<{ layer_id: number | null }>(
    sql`SELECT layer_id FROM annotation WHERE id = ${annotationId}`,
  )
  return row === undefined ? undefined : row.layer_id
}
