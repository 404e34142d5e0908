/**
 * Request bodies as JSON, read once and checked before anything parses them: strict UTF-8 (a body that
 * is not is refused, not silently repaired with U+FFFD), a bounded nesting depth and a bounded number of
 * object keys. The checks scan the text without building anything, so a hostile body costs one linear
 * pass, never a deep recursion or a huge object graph in the MCP SDK or zod.
 */
import { GatewayError } from '../errors'

/** Deeper than any tool request (the JSON-RPC envelope plus a chart configuration is about 10). */
export const MAX_JSON_DEPTH = 64
/** Object keys in one body, all levels together. */
export const MAX_JSON_KEYS = 10_000

export type JsonText = { kind: 'invalid' } | { kind: 'json'; value: unknown }

/** The body as text, strictly decoded (ValidationError when it is not UTF-8). */
export async function readBodyText(request: Request): Promise<string> {
  return decodeUtf8(await request.arrayBuffer())
}

/** Checks the shape, then parses; `invalid` for a syntax error (each route answers that in its own protocol). */
export function parseJsonText(text: string): JsonText {
  assertJsonShape(text)
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown }
  } catch {
    return { kind: 'invalid' }
  }
}

/** A media type of `application/json` (parameters such as charset allowed). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() === 'application/json'
}

export function decodeUtf8(bytes: ArrayBuffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw new GatewayError('ValidationError', 'The request body is not valid UTF-8.', {
      details: { reason: 'invalid_utf8' },
    })
  }
}

/** Refuses text whose JSON would nest deeper than MAX_JSON_DEPTH or hold more than MAX_JSON_KEYS keys. */
export function assertJsonShape(text: string): void {
  const shape = measureJson(text)
  if (shape.depth > MAX_JSON_DEPTH) {
    throw new GatewayError(
      'ValidationError',
      `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`,
      { details: { reason: 'json_too_deep', max_depth: MAX_JSON_DEPTH } },
    )
  }
  if (shape.keys > MAX_JSON_KEYS) {
    throw new GatewayError(
      'ValidationError',
      `The request body has more than ${MAX_JSON_KEYS} object keys.`,
      { details: { reason: 'json_too_many_keys', max_keys: MAX_JSON_KEYS } },
    )
  }
}

/**
 * Deepest nesting and number of object keys (a `:` outside strings is exactly one key in valid JSON).
 * Stops counting once past the limits: the answer is already known.
 */
export function measureJson(text: string): { depth: number; keys: number } {
  let depth = 0
  let maxDepth = 0
  let keys = 0
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index)
    if (inString) {
      if (char === BACKSLASH) index++
      else if (char === QUOTE) inString = false
      continue
    }
    if (char === QUOTE) inString = true
    else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++
      if (depth > maxDepth) maxDepth = depth
      if (maxDepth > MAX_JSON_DEPTH) break
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) depth--
    else if (char === COLON && ++keys > MAX_JSON_KEYS) break
  }
  return { depth: maxDepth, keys }
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
