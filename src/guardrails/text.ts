/**
 * Positions in SQL text, from the scanner: where a (qualified) name ends, what a token is, and edits
 * applied at exact spans.
 */
import type { Offsets, ScanToken } from './parser'

export interface Edit {
  /** String indexes in the text being edited. */
  start: number
  end: number
  insert: string
}

/** Applies non-overlapping edits (in any order); throws if two overlap. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const ordered = [...edits].sort((a, b) => b.start - a.start || b.end - a.end)
  let output = text
  let limit = Number.POSITIVE_INFINITY
  for (const edit of ordered) {
    if (edit.end > limit || edit.start > edit.end) throw new Error('overlapping SQL edits')
    output = `${output.slice(0, edit.start)}${edit.insert}${output.slice(edit.end)}`
    limit = edit.start
  }
  return output
}

export function isComment(token: ScanToken): boolean {
  return token.tokenName === 'SQL_COMMENT' || token.tokenName === 'C_COMMENT'
}

/** An identifier or keyword token (a keyword can be a name: `data`, `left`, `"quoted"`). */
export function isNameToken(token: ScanToken | undefined): boolean {
  if (token === undefined) return false
  return /^([A-Za-z_\u0080-\uffff]|"|[Uu]&")/.test(token.text) && !/^[EeBbXxNnUu]&?'/.test(token.text)
}

/** The identifier a name token denotes, as the server folds it: quoted kept, unquoted lower-cased. */
export function identifierOf(token: ScanToken): string {
  if (token.text.startsWith('"')) return token.text.slice(1, -1).replaceAll('""', '"')
  return token.text.toLowerCase()
}

/**
 * The string-index span of the (qualified) name starting at byte offset `location`: `name`,
 * `schema.name`, `"a" . "b"`. Undefined when no name token starts there.
 */
export function nameSpanAt(
  tokens: readonly ScanToken[],
  offsets: Offsets,
  location: number,
): { start: number; end: number } | undefined {
  const index = tokens.findIndex((token) => token.start === location)
  if (index === -1 || !isNameToken(tokens[index])) return undefined
  let last = index
  while (tokens[last + 1]?.text === '.' && isNameToken(tokens[last + 2])) last += 2
  return { start: offsets.char(tokens[index]!.start), end: offsets.char(tokens[last]!.end) }
}
