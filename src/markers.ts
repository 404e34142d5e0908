/**
 * The gateway's untrusted-content markers (src/mcp/untrusted.ts wraps user-written text in them), and
 * their removal from what a client sends: an agent that copies a marked value into a request must not
 * have the markers stored or matched as text.
 */

export const UNTRUSTED_OPEN = '<UNTRUSTED-CONTENT>'
export const UNTRUSTED_CLOSE = '</UNTRUSTED-CONTENT>'

/**
 * Incoming arguments without the exact markers the gateway itself writes: an agent that copies a marked
 * value (a chart name, a dataset's SQL) into a request sends the text, not the markers, so no marker is
 * ever stored in Superset or matched against. Only the gateway's own two spellings are taken out;
 * other marker-like text is stored as written and made inert whenever it is shown (neutraliseMarkers).
 */
export function stripMarkers(value: unknown): unknown {
  if (typeof value === 'string') {
    // Until none is left: taking one out must not join the text around it into another.
    let text = value
    for (let previous = ''; previous !== text;) {
      previous = text
      text = text.replaceAll(UNTRUSTED_OPEN, '').replaceAll(UNTRUSTED_CLOSE, '')
    }
    return text
  }
  if (Array.isArray(value)) return value.map(stripMarkers)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [stripMarkers(key) as string, stripMarkers(item)]),
    )
  }
  return value
}
