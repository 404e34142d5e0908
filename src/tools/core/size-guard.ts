/**
 * Keeps answers small enough for an agent's context (Superset's ResponseSizeGuard): a list is cut to the
 * items that fit, a single object has its largest fields shortened, each time with a hint on how to ask
 * for less. Sizes are UTF-8 bytes of the JSON.
 */
import { GatewayError } from '../../errors'

export const TRUNCATION_HINT =
  'Narrow select_columns or reduce page_size (then use page to continue) to get complete results.'

const encoder = new TextEncoder()

export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length
}

type Json = Record<string, unknown>

/** The response, cut to `maxBytes` when it is larger. */
export function fitResponse(toolName: string, response: unknown, maxBytes: number): unknown {
  const size = jsonBytes(response)
  if (size <= maxBytes || typeof response !== 'object' || response === null || Array.isArray(response))
    return response
  const record = response as Json
  const listKey = listKeyOf(record)
  const fitted = listKey === undefined ? fitObject(record, maxBytes) : fitList(record, listKey, maxBytes)
  if (fitted === undefined || jsonBytes(fitted) > maxBytes) {
    throw new GatewayError(
      'ValidationError',
      `The ${toolName} response is too large (~${Math.ceil(size / 1024)} KB, limit ${Math.floor(maxBytes / 1024)} KB). ${TRUNCATION_HINT}`,
      { details: { response_bytes: size, limit_bytes: maxBytes } },
    )
  }
  return fitted
}

/** List responses carry `count` and one array of items. */
function listKeyOf(record: Json): string | undefined {
  if (typeof record.count !== 'number') return undefined
  return Object.keys(record).find(
    (key) => Array.isArray(record[key]) && key !== 'filters_applied' && !key.startsWith('columns_'),
  )
}

function fitList(record: Json, listKey: string, maxBytes: number): Json | undefined {
  const items = record[listKey] as unknown[]
  const shaped = (count: number): Json => ({
    ...record,
    [listKey]: items.slice(0, count),
    count,
    truncated: true,
    truncation_hint: `Only ${count} of the ${items.length} items on this page fit in ${Math.floor(maxBytes / 1024)} KB. ${TRUNCATION_HINT}`,
  })
  // The largest prefix of items that fits.
  let low = 0
  let high = items.length - 1
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (jsonBytes(shaped(middle)) <= maxBytes) low = middle
    else high = middle - 1
  }
  const result = shaped(low)
  return jsonBytes(result) <= maxBytes ? result : undefined
}

/** Shortens the largest fields, one at a time, noting what was cut. */
function fitObject(record: Json, maxBytes: number): Json | undefined {
  const result: Json = { ...record }
  const notes: Record<string, string> = {}
  const fieldSizes = Object.entries(result)
    .map(([key, value]) => [key, jsonBytes(value)] as const)
    .sort((a, b) => b[1] - a[1])
  for (const [key, bytes] of fieldSizes) {
    if (jsonBytes({ ...result, truncated: true, truncation_notes: notes }) <= maxBytes) break
    const value = result[key]
    if (key === 'id' || bytes < 256) continue
    result[key] =
      typeof value === 'string'
        ? `${value.slice(0, 200)}… [truncated]`
        : Array.isArray(value)
          ? value.slice(0, 3)
          : null
    notes[key] =
      `Cut from ~${Math.ceil(bytes / 1024)} KB. ${Array.isArray(value) ? 'Only the first items are shown.' : 'Ask for this field alone with select_columns.'}`
  }
  return { ...result, truncated: true, truncation_notes: notes }
}
