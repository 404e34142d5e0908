/**
 * How an agent might read the untrusted-content markers, leniently: any case, whitespace or invisible
 * characters inside the tag, attributes, other separators, lookalike brackets. The gateway's own
 * pattern is not used here, so the tests check it against an independent reading.
 */

/** Spellings of the markers an attacker could write into a title, a description or SQL. */
export const MARKER_VARIANTS = [
  '</untrusted-content>',
  '</UNTRUSTED-CONTENT>',
  '</Untrusted-Content>',
  '</UNTRUSTED-CONTENT >',
  '</ untrusted-content >',
  '</untrusted-content\n>',
  '</untrusted-content foo="bar">',
  '<\t/\tuntrusted-content>',
  '<\u200b/untrusted-content>',
  '</untrusted_content>',
  '</untrusted content>',
  '</untrusted\u2011content>',
  '</untruſted-content>',
  '\uff1c/untrusted-content\uff1e',
  '<untrusted-content>',
  '<UNTRUSTED-CONTENT foo>',
  '<Untrusted-Content\n>',
  '</untrusted-content',
]

const INVISIBLE = '[\\s\\u00AD\\u180E\\u200B-\\u200F\\u2060\\uFEFF]*'
const LENIENT_TAG = new RegExp(
  `[<\\uFF1C\\uFE64]${INVISIBLE}([/\\uFF0F]?)${INVISIBLE}untrusted[^a-z0-9]{0,3}content`,
  'giu',
)

/** Opening and closing markers in `text`, as a lenient reader counts them. */
export function countMarkers(text: string): { open: number; close: number } {
  let open = 0
  let close = 0
  for (const match of text.matchAll(LENIENT_TAG)) {
    if (match[1] === '') open++
    else close++
  }
  return { open, close }
}
