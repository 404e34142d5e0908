/**
 * Annotation layers and their annotations (Superset's development branch, mcp_service/annotation_layer):
 * read with can_read on Annotation, which Superset 6.1 gives Admin and Alpha (Annotation is alpha-only).
 * Superset filters no rows of either; an annotation is read through its layer.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import {
  ANNOTATION_COLUMNS,
  ANNOTATION_LAYER_COLUMNS,
  annotationLayerExists,
  annotationLayerSpec,
  annotationsOfLayer,
  findVisibleRow,
  layerOfAnnotation,
  projectRow,
  resolveColumns,
  type ModelSpec,
} from '../../superset'
import {
  authoredColumnPaths,
  CacheControlFields,
  defineListTool,
  defineTool,
  READ_ONLY,
  requestObject,
  type ToolContext,
} from '../core'

const ANNOTATION_CACHE = { scope: 'permissions', dependsOn: ['annotation'] } as const
const TABLES = ['annotation_layer', 'annotation'] as const
const LayerId = z.int().positive()

function layerNotFound(layerId: number): GatewayError {
  return new GatewayError(
    'NotFoundError',
    `Annotation layer with id '${layerId}' not found. Check the id with list_annotation_layers.`,
    { details: { resource_type: 'annotation_layer', resource_id: layerId } },
  )
}

async function annotationsOf(layerId: number, context: ToolContext): Promise<ModelSpec> {
  if (!(await annotationLayerExists(context.db, layerId))) throw layerNotFound(layerId)
  return annotationsOfLayer(layerId)
}

export const listAnnotationLayers = defineListTool({
  name: 'list_annotation_layers',
  title: 'List annotation layers',
  description:
    'List the annotation layers of Superset (named sets of events and periods that charts can overlay): name and description.',
  spec: annotationLayerSpec,
  cache: ANNOTATION_CACHE,
  schemaHint: false,
  requiresTables: TABLES,
})

export const getAnnotationLayerInfo = defineTool({
  name: 'get_annotation_layer_info',
  title: 'Get annotation layer info',
  description:
    "An annotation layer's name, description and timestamps by id. Find ids with list_annotation_layers.",
  input: requestObject({ id: LayerId.describe('Annotation layer ID.'), ...CacheControlFields }),
  output: z.looseObject({ id: z.int() }),
  annotations: READ_ONLY,
  permission: annotationLayerSpec.readPermission,
  cache: ANNOTATION_CACHE,
  requiresTables: TABLES,
  authored: authoredColumnPaths(annotationLayerSpec),
  run: async (request, context) => {
    const columns = resolveColumns(annotationLayerSpec, [...ANNOTATION_LAYER_COLUMNS])
    const row = await findVisibleRow(annotationLayerSpec, request.id, columns, context, {
      slug: false,
      label: 'Annotation layer',
    })
    return { ...projectRow(annotationLayerSpec, columns, row, context), id: Number(row.id) }
  },
})

export const listLayerAnnotations = defineListTool({
  name: 'list_layer_annotations',
  title: 'List annotations in a layer',
  description:
    'List the annotations of one annotation layer (layer_id, required): label, start and end; on request the long description and metadata.',
  spec: annotationsOfLayer(0),
  cache: ANNOTATION_CACHE,
  schemaHint: false,
  requiresTables: TABLES,
  scope: {
    field: 'layer_id',
    description: 'Annotation layer ID to list annotations for.',
    narrow: annotationsOf,
  },
})

export const getLayerAnnotationInfo = defineTool({
  name: 'get_layer_annotation_info',
  title: 'Get annotation info',
  description:
    'One annotation of an annotation layer: label, long description, start, end and metadata. Both layer_id and annotation_id are required; an annotation of another layer is not found.',
  input: requestObject({
    layer_id: LayerId.describe('Annotation layer ID.'),
    annotation_id: z.int().positive().describe('Annotation ID.'),
    ...CacheControlFields,
  }),
  output: z.looseObject({ id: z.int() }),
  annotations: READ_ONLY,
  permission: annotationLayerSpec.readPermission,
  cache: ANNOTATION_CACHE,
  requiresTables: TABLES,
  authored: authoredColumnPaths(annotationsOfLayer(0)),
  run: async (request, context) => {
    const spec = await annotationsOf(request.layer_id, context)
    const layer = await layerOfAnnotation(context.db, request.annotation_id)
    if (layer === undefined) {
      throw new GatewayError('NotFoundError', `Annotation with id '${request.annotation_id}' not found`, {
        details: { resource_type: 'annotation', resource_id: request.annotation_id },
      })
    }
    if (layer !== request.layer_id) {
      throw new GatewayError(
        'NotFoundError',
        `Annotation '${request.annotation_id}' does not belong to layer '${request.layer_id}'. List the layer's annotations with list_layer_annotations.`,
        { details: { resource_type: 'annotation', resource_id: request.annotation_id } },
      )
    }
    const columns = resolveColumns(spec, [...ANNOTATION_COLUMNS])
    const row = await findVisibleRow(spec, request.annotation_id, columns, context, {
      slug: false,
      label: 'Annotation',
    })
    return { ...projectRow(spec, columns, row, context), id: Number(row.id) }
  },
})
