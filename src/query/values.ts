/**
 * Result values as JSON, the way Superset's MCP tools serialise them: numerics and big integers as
 * numbers (Decimal → float), dates as ISO text, timestamps as ISO text (naive ones without a zone),
 * bytes as text or hex. Column types are named from their PostgreSQL type OIDs.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type ResultRow = Record<string, JsonValue>

const TYPE_NAMES: Record<number, string> = {
  16: 'BOOLEAN',
  17: 'BYTEA',
  18: 'CHAR',
  19: 'NAME',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  25: 'TEXT',
  26: 'OID',
  114: 'JSON',
  142: 'XML',
  199: 'JSON[]',
  650: 'CIDR',
  790: 'MONEY',
  829: 'MACADDR',
  869: 'INET',
  700: 'REAL',
  701: 'DOUBLE PRECISION',
  1000: 'BOOLEAN[]',
  1005: 'SMALLINT[]',
  1007: 'INTEGER[]',
  1009: 'TEXT[]',
  1015: 'VARCHAR[]',
  1016: 'BIGINT[]',
  1021: 'REAL[]',
  1022: 'DOUBLE PRECISION[]',
  1042: 'CHAR',
  1043: 'VARCHAR',
  1082: 'DATE',
  1083: 'TIME',
  1114: 'TIMESTAMP WITHOUT TIME ZONE',
  1115: 'TIMESTAMP WITHOUT TIME ZONE[]',
  1182: 'DATE[]',
  1185: 'TIMESTAMP WITH TIME ZONE[]',
  1231: 'NUMERIC[]',
  1184: 'TIMESTAMP WITH TIME ZONE',
  1186: 'INTERVAL',
  1266: 'TIME WITH TIME ZONE',
  1560: 'BIT',
  1562: 'BIT VARYING',
  1700: 'NUMERIC',
  2950: 'UUID',
  2951: 'UUID[]',
  3614: 'TSVECTOR',
  3615: 'TSQUERY',
  3802: 'JSONB',
  3807: 'JSONB[]',
  3904: 'INT4RANGE',
  3906: 'NUMRANGE',
  3908: 'TSRANGE',
  3910: 'TSTZRANGE',
  3912: 'DATERANGE',
  3926: 'INT8RANGE',
  4072: 'JSONPATH',
}

const NUMERIC_TYPES = new Set([20, 21, 23, 26, 700, 701, 1700])
const TEMPORAL_TYPES = new Set([1082, 1114, 1184])

export function typeName(oid: number): string {
  return TYPE_NAMES[oid] ?? `OID ${oid}`
}

/** Superset's coarse DataColumn.data_type. */
export function dataKind(oid: number): 'numeric' | 'datetime' | 'boolean' | 'string' {
  if (NUMERIC_TYPES.has(oid)) return 'numeric'
  if (TEMPORAL_TYPES.has(oid)) return 'datetime'
  if (oid === 16) return 'boolean'
  return 'string'
}

export function normaliseRows(
  rows: readonly Record<string, unknown>[],
  fields: readonly { name: string; dataTypeID: number }[],
): ResultRow[] {
  return rows.map((row) => {
    const output: ResultRow = {}
    for (const field of fields) output[field.name] = normaliseValue(row[field.name], field.dataTypeID)
    return output
  })
}

export function normaliseValue(value: unknown, oid: number): JsonValue {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return formatDate(value, oid)
  if (typeof value === 'string' && NUMERIC_TYPES.has(oid)) return numberOrText(value)
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  if (value instanceof Uint8Array) return bytesToText(value)
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (typeof value === 'object') return JSON.parse(JSON.stringify(value)) as JsonValue
  return value as JsonValue
}

function numberOrText(text: string): number | string {
  const number = Number(text)
  if (!Number.isFinite(number)) return text
  // Keep integers that would lose precision as text.
  return /^-?\d+$/.test(text) && !Number.isSafeInteger(number) ? text : number
}

function formatDate(date: Date, oid: number): string {
  if (Number.isNaN(date.getTime())) return String(date)
  const iso = date.toISOString()
  if (oid === 1082) return iso.slice(0, 10)
  if (oid === 1184) return iso
  return iso.replace(/\.000Z$/, '').replace(/Z$/, '')
}

function bytesToText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
  }
}
