/**
 * Request bodies as JSON, read once and checked before anything parses them: strict UTF-8 (a body that
 * is not is refused, not silently repaired with U+FFFD), a bounded nesting depth and a bounded number of
 * object keys. The checks scan the text without building anything, so a hostile body costs one linear
 * pass, never a deep recursion or a huge object graph in the MCP SDK or zod.
 */
import { GatewayError } from '../errors'
import { assertJsonShape } from '../json-text'

export { MAX_JSON_DEPTH, MAX_JSON_KEYS } from '../json-text'

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
