/**
 * JSON text, checked before it is parsed: a bounded nesting depth and a bounded number of object keys.
 * The checks scan the text without building anything, so hostile JSON costs one linear pass, never a
 * deep recursion or a huge object graph. Request bodies (src/http) and JSON given as a string inside a
 * request (`"request": "{…}"`, call_tool's `arguments`, a chart `config`, list `filters`) both pass here,
 * so a string cannot carry what the body could not.
 */
import { GatewayError } from './errors'
import { stripMarkers } from './markers'

/** Deeper than any tool request (the JSON-RPC envelope plus a chart configuration is about 10). */
export const MAX_JSON_DEPTH = 64
/** Object keys in one body, all levels together. */
export const MAX_JSON_KEYS = 10_000

/**
 * JSON given as a string inside a request, parsed as the body was: its shape checked, and the gateway's
 * own untrusted-content markers taken out of every string (as from the arguments themselves).
 * `invalid` with the parser's reason for a syntax error (each caller words its own refusal).
 */
export function parseNestedJson(
  text: string,
  what: string,
): { kind: 'json'; value: unknown } | { kind: 'invalid'; reason: string } {
  assertJsonShape(text, what)
  try {
    return { kind: 'json', value: stripMarkers(JSON.parse(text) as unknown) }
  } catch (error) {
    return { kind: 'invalid', reason: error instanceof Error ? error.message : String(error) }
  }
}

/** Refuses text whose JSON would nest deeper than MAX_JSON_DEPTH or hold more than MAX_JSON_KEYS keys. */
export function assertJsonShape(text: string, what = 'The request body'): void {
  const shape = measureJson(text)
  if (shape.depth > MAX_JSON_DEPTH) {
    throw new GatewayError('ValidationError', `${what} nests deeper than ${MAX_JSON_DEPTH} levels.`, {
      details: { reason: 'json_too_deep', max_depth: MAX_JSON_DEPTH },
    })
  }
  if (shape.keys > MAX_JSON_KEYS) {
    throw new GatewayError('ValidationError', `${what} has more than ${MAX_JSON_KEYS} object keys.`, {
      details: { reason: 'json_too_many_keys', max_keys: MAX_JSON_KEYS },
    })
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
