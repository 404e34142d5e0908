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
    // Until none is left: taking one out must not join the text around it into another. The span
    // delimiters below are the gateway's too: a request never carries them into a message or Superset.
    let text = dropSpanDelimiters(value)
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

/**
 * User-written text quoted inside the gateway's own sentence (an error naming a dataset, a database, a
 * saved metric). The sentence is the gateway's and stays unmarked; the quoted part is Superset content and
 * must reach an agent between markers like any authored field. Where the message is built, the transport is
 * not known yet, so the quoted part travels between two private-use characters and is rendered at the edge:
 * wrapped in markers over MCP (src/mcp/untrusted.ts), as plain double quotes over HTTP and in logs.
 */
const SPAN_OPEN = '\uE000'
const SPAN_CLOSE = '\uE001'
const DELIMITERS = /[\uE000\uE001]/g
const SPAN = /\uE000([^\uE000\uE001]*)\uE001/g
const WHOLE_SPAN = /^\uE000([^\uE000\uE001]*)\uE001$/

/** `text` (user-written) for quoting in a message; delimiters inside it are dropped so it cannot end early. */
export function quoteAuthored(text: string): string {
  return `${SPAN_OPEN}${dropSpanDelimiters(text)}${SPAN_CLOSE}`
}

/** `text` without span delimiters: for text from elsewhere, which must not be read as a span. */
export function dropSpanDelimiters(text: string): string {
  return text.includes(SPAN_OPEN) || text.includes(SPAN_CLOSE) ? text.replace(DELIMITERS, '') : text
}

/** `text` with each authored span rendered by `render` and any stray delimiter removed. */
export function renderAuthoredSpans(text: string, render: (quoted: string) => string): string {
  if (!text.includes(SPAN_OPEN) && !text.includes(SPAN_CLOSE)) return text
  return text.replace(SPAN, (_, quoted: string) => render(quoted)).replace(DELIMITERS, '')
}

/**
 * The spans as plain text, for HTTP answers, logs and anything not read by an agent: in double quotes
 * inside a sentence; a value that is one span as a whole (a name in an error's details) as the bare name.
 */
export function plainAuthoredSpans(text: string): string {
  const whole = WHOLE_SPAN.exec(text)
  if (whole !== null) return whole[1] as string
  return renderAuthoredSpans(text, (quoted) => `"${quoted}"`)
}

/** Every string in `value` rendered by `renderString` (keys and the structure as they are). */
export function mapStrings(value: unknown, renderString: (text: string) => string): unknown {
  if (typeof value === 'string') return renderString(value)
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, renderString))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, renderString)]),
    )
  }
  return value
}
