/**
 * The built-in semantic layer: each dataset's metrics (`sql_metrics`) and columns (`table_columns`), for
 * the datasets the caller may see (DatasetDAO's base filter, DatasourceFilter: src/superset/access.ts).
 * A dataset the caller may not see is not returned, exactly as if it did not exist.
 */
import { and, sql, trusted, type Db } from '../../db'
import { datasetVisibility } from '../access'
import type { Principal } from '../principal'

export interface SemanticMetric {
  metric_name: string
  verbose_name: string | null
  description: string | null
  expression: string | null
  d3format: string | null
  warning_text: string | null
}

export interface SemanticColumn {
  column_name: string
  verbose_name: string | null
  description: string | null
  type: string | null
  is_dttm: boolean
  groupby: boolean
  filterable: boolean
}

export interface SemanticDataset {
  id: number
  table_name: string
  main_dttm_col: string | null
  metrics: SemanticMetric[]
  columns: SemanticColumn[]
}

interface SemanticDatasetRow extends Omit<SemanticDataset, 'metrics' | 'columns'> {
  metrics: SemanticMetric[] | string
  columns: SemanticColumn[] | string
}

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value)

/**
 * The datasets the principal may see, by id, with their metrics and columns in id order; only
 * `datasetId` when given (none when it is hidden or missing).
 */
export async function visibleSemanticDatasets(
  db: Db,
  principal: Principal,
  datasetId?: number,
): Promise<SemanticDataset[]> {
  const rows = await db.query<SemanticDatasetRow>(sql`
    SELECT t.id, t.table_name, t.main_dttm_col,
      COALESCE((SELECT json_agg(json_build_object('metric_name', m.metric_name, 'verbose_name', m.verbose_name,
                  'description', m.description, 'expression', m.expression, 'd3format', m.d3format,
                  'warning_text', m.warning_text) ORDER BY m.id)
                  FROM sql_metrics m WHERE m.table_id = t.id), '[]') AS metrics,
      COALESCE((SELECT json_agg(json_build_object('column_name', c.column_name, 'verbose_name', c.verbose_name,
                  'description', c.description, 'type', c.type, 'is_dttm', c.is_dttm IS TRUE,
                  'groupby', c.groupby IS TRUE, 'filterable', c.filterable IS TRUE) ORDER BY c.id)
                  FROM table_columns c WHERE c.table_id = t.id), '[]') AS columns
      FROM tables t
     WHERE ${and([
       datasetVisibility(principal, 't'),
       datasetId === undefined ? trusted('') : sql`t.id = ${datasetId}`,
     ])}
     ORDER BY t.id`)
  return rows.map((row) => ({
    id: Number(row.id),
    table_name: row.table_name,
    main_dttm_col: row.main_dttm_col,
    metrics: parsed(row.metrics),
    columns: parsed(row.columns),
  }))
}
