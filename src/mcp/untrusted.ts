/**
 * Text that Superset users wrote (titles, descriptions, SQL, expressions, layout and metadata JSON)
 * reaches the agent marked as data, not instructions, between <UNTRUSTED-CONTENT> markers, as Superset's
 * own MCP service does. Which fields those are, each tool declares (src/tools/core/authored.ts); the
 * gateway's own text, structure, ids and numbers are left as they are.
 * Inside the text, anything that looks like a marker, in any case or spelling, is made inert first, so
 * authored text can neither end its block early nor open one of its own.
 */

import {
  dropSpanDelimiters,
  mapStrings,
  renderAuthoredSpans,
  UNTRUSTED_CLOSE,
  UNTRUSTED_OPEN,
} from '../markers'

export { stripMarkers, UNTRUSTED_CLOSE, UNTRUSTED_OPEN } from '../markers'

/** A tree of authored paths (src/tools/core/authored.ts): `true` where the value is authored as a whole. */
interface PathTree {
  authored: boolean
  children: Map<string, PathTree>
}

function pathTree(paths: readonly string[]): PathTree {
  const root: PathTree = { authored: false, children: new Map() }
  for (const path of paths) {
    let node = root
    for (const key of path === '' ? [] : path.split('.')) {
      let next = node.children.get(key)
      if (next === undefined) {
        next = { authored: false, children: new Map() }
        node.children.set(key, next)
      }
      node = next
    }
    node.authored = true
  }
  return root
}

const EMPTY: PathTree = { authored: false, children: new Map() }

/** The subtrees a key leads to: its own and `*`'s, merged. */
function childOf(node: PathTree, key: string): PathTree {
  const named = node.children.get(key)
  const any = node.children.get('*')
  if (named === undefined) return any ?? EMPTY
  if (any === undefined) return named
  return {
    authored: named.authored || any.authored,
    children: new Map([...any.children, ...named.children]),
  }
}

/**
 * A tool's answer with every string at one of `paths` (arrays looked through) wrapped in markers: the
 * value at a path is authored as a whole, so every string inside an object there is wrapped too. Nothing
 * else is touched: the gateway's own text (schemas, examples, hints) stays unmarked.
 */
export function markAuthored(value: unknown, paths: readonly string[]): unknown {
  return paths.length === 0 ? value : markNode(value, pathTree(paths))
}

function markNode(value: unknown, node: PathTree): unknown {
  if (node.authored) return markAll(value)
  if (node.children.size === 0) return value
  if (Array.isArray(value)) return value.map((item) => markNode(item, node))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, markNode(item, childOf(node, key))]),
    )
  }
  return value
}

/** Every non-empty string in `value` wrapped; keys, numbers and the structure as they are. */
function markAll(value: unknown): unknown {
  if (typeof value === 'string') return value === '' ? value : wrap(value)
  if (Array.isArray(value)) return value.map(markAll)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, markAll(item)]))
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

/**
 * Authored text with every marker-like sequence made inert, so it can neither close nor open a block, and
 * without the private-use characters that delimit quoted spans (src/markers.ts), so no span can be read
 * inside it.
 */
export function neutraliseMarkers(text: string): string {
  return dropSpanDelimiters(text).replace(MARKER_LIKE, NEUTRALISED_BRACKET)
}

function wrap(text: string): string {
  return `${UNTRUSTED_OPEN}${neutraliseMarkers(text)}${UNTRUSTED_CLOSE}`
}

/** `text` with its quoted user-written spans (src/markers.ts quoteAuthored) wrapped in markers. */
export function markSpans(text: string): string {
  return renderAuthoredSpans(text, wrap)
}

/** An in-band failure's answer with the user-written names its message quotes marked (src/markers.ts). */
export function markQuotedSpans(value: unknown): unknown {
  return mapStrings(value, markSpans)
}
