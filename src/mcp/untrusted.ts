/**
 * Text that Superset users wrote (titles, descriptions, SQL, expressions, layout and metadata JSON)
 * reaches the agent marked as data, not instructions, between <UNTRUSTED-CONTENT> markers, as Superset's
 * own MCP service does. Structure, ids, names used as identifiers and numbers are left as they are.
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

function wrap(text: string): string {
  // A closing marker inside the text must not end the data early.
  const neutralised = text.replaceAll(UNTRUSTED_CLOSE, '</UNTRUSTED-CONTENT >')
  return `${UNTRUSTED_OPEN}${neutralised}${UNTRUSTED_CLOSE}`
}
