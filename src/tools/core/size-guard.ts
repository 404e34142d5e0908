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
  const shaped = (fitting: number): Json => {
    // On a page after the first, as many as still make a whole page (see continuation).
    const page = pageOf(record)
    const count = page === undefined || fitting === 0 ? fitting : pageSizeFor(page.offset, fitting)
    return {
      ...record,
      [listKey]: items.slice(0, count),
      count,
      ...continuation(record, count),
      truncated: true,
      truncation_hint: `Only ${count} of the ${items.length} items on this page fit in ${Math.floor(maxBytes / 1024)} KB. ${nextPageHint(record, count)}${TRUNCATION_HINT}`,
    }
  }
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

interface Page {
  offset: number
  total: number
}

/** Where the page began and how many items the query matched, when the list carries 6.1's pagination fields. */
function pageOf(record: Json): Page | undefined {
  const { page, page_size: pageSize, total_count: total } = record
  if (typeof page !== 'number' || typeof pageSize !== 'number' || typeof total !== 'number') return undefined
  return { offset: (page - 1) * pageSize, total }
}

/**
 * The first `kept` items of a cut page restated as a page of its own (6.1's page / page_size / has_next /
 * pagination), so the next page continues exactly where this one stopped. Pages are whole multiples of
 * page_size, so the size is the largest count ≤ kept that divides the page's offset (on page 1, kept
 * itself); the answer then shows that many items.
 */
function continuation(record: Json, kept: number): Json {
  const page = pageOf(record)
  if (page === undefined || kept === 0) return {}
  const size = pageSizeFor(page.offset, kept)
  const number = page.offset / size + 1
  const totalPages = Math.ceil(page.total / size)
  const fields = {
    page: number,
    page_size: size,
    total_pages: totalPages,
    has_next: page.offset + size < page.total,
    has_previous: number > 1,
  }
  const pagination = record.pagination
  return {
    ...fields,
    ...(typeof pagination === 'object' && pagination !== null
      ? { pagination: { ...(pagination as Json), ...fields } }
      : {}),
  }
}

function pageSizeFor(offset: number, kept: number): number {
  if (offset === 0) return kept
  for (let size = kept; size > 1; size -= 1) if (offset % size === 0) return size
  return 1
}

function nextPageHint(record: Json, kept: number): string {
  const page = pageOf(record)
  if (page === undefined || kept === 0) return ''
  const size = pageSizeFor(page.offset, kept)
  if (page.offset + size >= page.total) return ''
  return `To continue where this stopped, ask for page ${page.offset / size + 2} with page_size ${size}. `
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
