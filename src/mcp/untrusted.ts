/**
 * Text that Superset users wrote (titles, descriptions, SQL, expressions, layout and metadata JSON)
 * reaches the agent marked as data, not instructions, between <UNTRUSTED-CONTENT> markers, as Superset's
 * own MCP service does. Structure, ids, names used as identifiers and numbers are left as they are.
 * Inside the text, anything that looks like a marker, in any case or spelling, is made inert first, so
 * authored text can neither end its block early nor open one of its own.
 */

export const UNTRUSTED_OPEN = '<UNTRUSTED-CONTENT>'
export const UNTRUSTED_CLOSE = '</UNTRUSTED-CONTENT>'

/** Keys whose string values are free text authored in Superset. */
const AUTHORED_TEXT_KEYS = new Set([
  'dashboard_title',
  'slice_name',
  'chart_name',
  'description',
  'certification_details',
  'certified_by',
  'css',
  'sql',
  'expression',
  'sqlExpression',
  'verbose_name',
  'position_json',
  'json_metadata',
  'params',
  'query_context',
  'label',
  'subheader',
  'code',
  'warning_text',
  'warning_markdown',
])

export function markUntrusted(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    return key !== undefined && AUTHORED_TEXT_KEYS.has(key) && value !== '' ? wrap(value) : value
  }
  if (Array.isArray(value)) return value.map((item) => markUntrusted(item, key))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, markUntrusted(item, name)]))
  }
  return value
}

/**
 * The start of anything a reader could take for a marker, opening or closing: a `<` (or its fullwidth or
 * small form), whitespace and invisible format characters a lenient reader skips, an optional `/`, then the
 * words UNTRUSTED and CONTENT in any case (Unicode case folding: `ſ` reads as `s`) joined by a hyphen, a
 * dash, an underscore, whitespace or nothing. What follows (`>`, attributes, a line break, the end of the
 * text) does not matter: without its `<` no tag begins there.
 */
const MARKER_LIKE =
  /[<\uFF1C\uFE64](?=[\s\u00AD\u180E\u200B-\u200F\u2060\uFEFF]*[/\uFF0F]?[\s\u00AD\u180E\u200B-\u200F\u2060\uFEFF]*untrusted[-_\u2010-\u2015\u2212\s]*content)/giu

/** The one way authored text shows a marker-like `<`: as the entity `&lt;`, which no reader takes for a tag. */
export const NEUTRALISED_BRACKET = '&lt;'

/** Authored text with every marker-like sequence made inert, so it can neither close nor open a block. */
export function neutraliseMarkers(text: string): string {
  return text.replace(MARKER_LIKE, NEUTRALISED_BRACKET)
}

function wrap(text: string): string {
  return `${UNTRUSTED_OPEN}${neutraliseMarkers(text)}${UNTRUSTED_CLOSE}`
}
