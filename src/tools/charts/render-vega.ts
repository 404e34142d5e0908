/**
 * A Vega-Lite v5 specification of a chart's data, with the rows inline: line/bar/area/point marks for
 * xy charts (several metrics folded into one colour channel; two layers with independent y scales for
 * mixed_timeseries), arcs for pies, a heatmap for pivot tables, a text mark for big numbers and a text
 * grid for tables.
 */
import type { ResultField, ResultRow, VizShape } from '../../query'

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json'

/** Vega-Lite reads "." and "[]" in field names as nested access; escape them. */
export function vlField(name: string): string {
  return name.replace(/[\\.[\]]/g, (char) => `\\${char}`)
}

type Spec = Record<string, unknown>

export function vegaLiteSpec(
  title: string,
  shape: VizShape,
  fields: readonly ResultField[],
  rows: readonly ResultRow[],
  size: { width: number; height: number },
): Spec {
  const base: Spec = {
    $schema: SCHEMA,
    title,
    width: size.width,
    height: size.height,
    data: { values: rows },
  }
  const kindOf = (name: string) => fields.find((field) => field.name === name)?.kind
  const typeOf = (name: string) => {
    const kind = kindOf(name)
    return kind === 'numeric' ? 'quantitative' : kind === 'datetime' ? 'temporal' : 'nominal'
  }
  const [metric] = shape.metrics
  switch (shape.family) {
    case 'xy':
    case 'big_number':
      return { ...base, ...xyEncoding(shape, typeOf) }
    case 'pie':
      if (metric === undefined || shape.dimensions[0] === undefined) return tableSpec(base, fields)
      return {
        ...base,
        mark: { type: 'arc', tooltip: true },
        encoding: {
          theta: { field: vlField(metric), type: 'quantitative' },
          color: { field: vlField(shape.dimensions[0]), type: 'nominal' },
          tooltip: [
            { field: vlField(shape.dimensions[0]), type: 'nominal' },
            { field: vlField(metric), type: 'quantitative' },
          ],
        },
      }
    case 'big_number_total':
      if (metric === undefined) return tableSpec(base, fields)
      return {
        ...base,
        mark: { type: 'text', fontSize: 48 },
        encoding: { text: { field: vlField(metric), type: 'quantitative', format: ',.2~f' } },
      }
    case 'pivot_table': {
      const [row] = shape.pivotRows
      const [column] = shape.pivotColumns
      if (metric === undefined || row === undefined) return tableSpec(base, fields)
      const x = column === undefined ? { datum: metric } : { field: vlField(column), type: 'nominal' }
      return {
        ...base,
        encoding: { y: { field: vlField(row), type: 'nominal' }, x },
        layer: [
          { mark: 'rect', encoding: { color: { field: vlField(metric), type: 'quantitative' } } },
          {
            mark: { type: 'text' },
            encoding: { text: { field: vlField(metric), type: 'quantitative', format: ',.2~f' } },
          },
        ],
      }
    }
    case 'table':
    case 'other':
      return tableSpec(base, fields)
    default:
      return shape.family satisfies never
  }
}

/** One query's rows with its shape and fields: a layer of a dual-axis chart. */
export interface VegaLayerData {
  shape: VizShape
  fields: readonly ResultField[]
  rows: readonly ResultRow[]
}

/**
 * mixed_timeseries: query A and query B as two layers on the shared x axis, each with its own rows and
 * its own y scale (B's axis on the right), as Superset draws the two axes.
 */
export function vegaLiteDualAxis(
  title: string,
  primary: VegaLayerData,
  secondary: VegaLayerData,
  size: { width: number; height: number },
): Spec {
  // Query A's rows are the chart's data (as get_chart_data returns them); query B's layer has its own.
  const layer = (data: VegaLayerData, orient: 'left' | 'right', ownData: boolean): Spec => {
    const kindOf = (name: string) => data.fields.find((field) => field.name === name)?.kind
    const typeOf = (name: string) => {
      const kind = kindOf(name)
      return kind === 'numeric' ? 'quantitative' : kind === 'datetime' ? 'temporal' : 'nominal'
    }
    const spec = xyEncoding(data.shape, typeOf)
    const encoding = spec.encoding as Spec
    const y = encoding.y as Spec
    return {
      ...(ownData ? { data: { values: data.rows } } : {}),
      ...spec,
      encoding: {
        ...encoding,
        y: { ...y, axis: { orient }, title: data.shape.metrics.join(', ') },
        // Without series or several metrics, the layer's metric names its colour, so the two axes differ.
        ...(encoding.color === undefined ? { color: { datum: data.shape.metrics.join(', ') } } : {}),
      },
    }
  }
  return {
    $schema: SCHEMA,
    title,
    width: size.width,
    height: size.height,
    data: { values: primary.rows },
    layer: [layer(primary, 'left', false), layer(secondary, 'right', true)],
    resolve: { scale: { y: 'independent' } },
  }
}

function xyEncoding(shape: VizShape, typeOf: (name: string) => string): Spec {
  const x = shape.xAxis ?? shape.dimensions[0]
  const mark =
    shape.family === 'big_number'
      ? 'line'
      : { line: 'line', bar: 'bar', area: 'area', scatter: 'point' }[shape.kind ?? 'line']
  const xEncoding = x === undefined ? {} : { x: { field: vlField(x), type: typeOf(x) } }
  const [series] = shape.series
  if (shape.metrics.length > 1) {
    return {
      transform: [{ fold: shape.metrics.map(vlField), as: ['metric', 'value'] }],
      mark: { type: mark, tooltip: true },
      encoding: {
        ...xEncoding,
        y: { field: 'value', type: 'quantitative' },
        color: { field: 'metric', type: 'nominal' },
      },
    }
  }
  const metric = shape.metrics[0] ?? 'value'
  return {
    mark: { type: mark, tooltip: true },
    encoding: {
      ...xEncoding,
      y: {
        field: vlField(metric),
        type: 'quantitative',
        ...(shape.kind === 'bar' || shape.kind === 'area'
          ? { stack: series === undefined ? null : 'zero' }
          : {}),
      },
      ...(series === undefined ? {} : { color: { field: vlField(series), type: 'nominal' } }),
    },
  }
}

/** Rows as a text grid: one line per row, one column per field. */
function tableSpec(base: Spec, fields: readonly ResultField[]): Spec {
  return {
    ...base,
    transform: [
      { window: [{ op: 'row_number', as: 'row_number' }] },
      { fold: fields.map((field) => vlField(field.name)), as: ['column', 'value'] },
    ],
    mark: { type: 'text', align: 'left' },
    encoding: {
      y: { field: 'row_number', type: 'ordinal', title: null },
      x: {
        field: 'column',
        type: 'nominal',
        sort: fields.map((field) => field.name),
        axis: { orient: 'top' },
        title: null,
      },
      text: { field: 'value', type: 'nominal' },
    },
  }
}
