import { datasetSpec } from '../../superset'
import * as z from 'zod'
import { defineGetTool, defineListTool } from '../core'

export const listDatasets = defineListTool({
  name: 'list_datasets',
  title: 'List datasets',
  description: 'List the datasets (physical tables and virtual SQL datasets) you may query in Superset.',
  spec: datasetSpec,
  cache: { scope: 'permissions', dependsOn: ['dataset', 'database'] },
})

/** Superset 6.1's DatasetInfo fields. */
const DATASET_INFO_COLUMNS = [
  'id',
  'table_name',
  'schema',
  'database_name',
  'database_id',
  'uuid',
  'url',
  'description',
  'certified_by',
  'certification_details',
  'changed_by',
  'changed_on',
  'changed_on_humanized',
  'created_by',
  'created_on',
  'created_on_humanized',
  'tags',
  'owners',
  'is_virtual',
  'schema_perm',
  'sql',
  'main_dttm_col',
  'offset',
  'cache_timeout',
  'params',
  'template_params',
  'extra',
  'columns',
  'metrics',
  'is_favorite',
]

const DatasetColumnSchema = z.object({
  column_name: z.string(),
  verbose_name: z.string().nullable(),
  type: z.string().nullable(),
  is_dttm: z.boolean(),
  groupby: z.boolean(),
  filterable: z.boolean(),
  description: z.string().nullable(),
  expression: z.string().nullable(),
})

const DatasetMetricSchema = z.object({
  metric_name: z.string(),
  verbose_name: z.string().nullable(),
  expression: z.string(),
  description: z.string().nullable(),
  d3format: z.string().nullable(),
})

export const getDatasetInfo = defineGetTool({
  name: 'get_dataset_info',
  title: 'Get dataset details',
  description:
    'Details of one dataset by numeric id or UUID: database, schema, SQL of a virtual dataset, its columns (type, temporal, ' +
    'calculated expressions) and saved metrics — what you need to build a chart or a query on it.',
  spec: datasetSpec,
  label: 'Dataset',
  defaultColumns: DATASET_INFO_COLUMNS,
  output: {
    columns: z.array(DatasetColumnSchema).optional(),
    metrics: z.array(DatasetMetricSchema).optional(),
  },
  cache: { scope: 'permissions', dependsOn: ['dataset', 'database'] },
})
