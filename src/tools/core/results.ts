/**
 * Shaping query results for callers: Superset's DataColumn summaries (type, samples, nulls, distinct
 * values, min/max/mean for numbers), CSV, and the response-size guard that trims rows with a hint to
 * narrow the query instead of sending more than MCP_RESPONSE_MAX_BYTES.
 */
import type { JsonValue, ResultField, ResultRow } from '../../query'

export interface DataColumn {
  name: string
  display_name: string
  data_type: string
  sample_values: JsonValue[]
  null_count: number
  unique_count: number
  statistics: { min: number; max: number; mean: number } | null
  semantic_type: 'metric' | 'dimension' | 'temporal' | null
}

const SAMPLE_SIZE = 3

export function describeColumns(
  fields: readonly ResultField[],
  rows: readonly ResultRow[],
  metricLabels: ReadonlySet<string>,
  displayNames: ReadonlyMap<string, string>,
): DataColumn[] {
  return fields.map((field) => {
    const values = rows.map((row) => row[field.name] ?? null)
    const present = values.filter((value) => value !== null)
    const distinct = new Set(present.map((value) => JSON.stringify(value)))
    const numbers = present.filter((value): value is number => typeof value === 'number')
    return {
      name: field.name,
      display_name: displayNames.get(field.name) ?? field.name,
      data_type: field.kind,
      sample_values: [...distinct].slice(0, SAMPLE_SIZE).map((text) => JSON.parse(text) as JsonValue),
      null_count: values.length - present.length,
      unique_count: distinct.size,
      statistics: field.kind === 'numeric' && numbers.length > 0 ? statistics(numbers) : null,
      semantic_type: metricLabels.has(field.name)
        ? 'metric'
        : field.kind === 'datetime'
          ? 'temporal'
          : 'dimension',
    }
  })
}

function statistics(numbers: readonly number[]) {
  const sum = numbers.reduce((total, value) => total + value, 0)
  return { min: Math.min(...numbers), max: Math.max(...numbers), mean: round(sum / numbers.length) }
}

export function round(value: number, digits = 6): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

/** RFC 4180 CSV with a header row. */
export function toCsv(fields: readonly { name: string }[], rows: readonly ResultRow[]): string {
  const cell = (value: JsonValue | undefined): string => {
    if (value === null || value === undefined) return ''
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  const lines = [fields.map((field) => cell(field.name)).join(',')]
  for (const row of rows) lines.push(fields.map((field) => cell(row[field.name])).join(','))
  return `${lines.join('\r\n')}\r\n`
}

export interface Trimmed<T> {
  rows: T[]
  trimmed: boolean
}

/**
 * The longest prefix of `rows` whose response stays within `maxBytes`, measured by `size` (the full
 * response for a given row count). Binary search: the response grows with the row count.
 */
export function trimToBytes<T>(
  rows: readonly T[],
  maxBytes: number,
  size: (count: number) => number,
): Trimmed<T> {
  if (size(rows.length) <= maxBytes) return { rows: [...rows], trimmed: false }
  let low = 0
  let high = rows.length
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (size(middle) <= maxBytes) low = middle
    else high = middle - 1
  }
  return { rows: rows.slice(0, low), trimmed: true }
}

export function byteLength(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length
}
