/**
 * A PostgreSQL tokenizer that reads text exactly as the server's scanner does where it matters for
 * safety: string literals ('…', E'…', U&'…', B'…', X'…', N'…', $tag$…$tag$), quoted identifiers,
 * nested block comments and line comments. It is used to check SQL fragments that the gateway places
 * inside its own queries (metric expressions, filters, RLS clauses) and to find exact spans in
 * statements it rewrites. It is not a parser: statements are parsed by pgsql-ast-parser (sql-script.ts).
 */

export type TokenKind =
  | 'word'
  | 'quoted_ident'
  | 'string'
  | 'number'
  | 'operator'
  | 'punct'
  | 'param'
  | 'line_comment'
  | 'block_comment'
  | 'space'

/** How a string literal is written; decides how a value may be spliced into it. */
export type StringStyle = 'standard' | 'escape' | 'unicode' | 'bit' | 'dollar'

export interface Token {
  kind: TokenKind
  text: string
  start: number
  end: number
  /** For strings only. */
  style?: StringStyle
}

export class LexError extends Error {
  readonly position: number
  constructor(message: string, position: number) {
    super(message)
    this.name = 'LexError'
    this.position = position
  }
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/
const DIGIT = /[0-9]/
const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?'
const PUNCT_CHARS = '(),;[].:'
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/

/** Every token of `text`, whitespace and comments included; throws LexError on unterminated input. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let position = 0
  while (position < text.length) {
    const token = readToken(text, position)
    tokens.push(token)
    position = token.end
  }
  return tokens
}

/** Tokens without whitespace and comments. */
export function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter(
    (token) => token.kind !== 'space' && token.kind !== 'line_comment' && token.kind !== 'block_comment',
  )
}

function readToken(text: string, start: number): Token {
  const char = text.charAt(start)
  const next = text.charAt(start + 1)
  if (/\s/.test(char))
    return span(
      text,
      start,
      scanWhile(text, start, (c) => /\s/.test(c)),
      'space',
    )
  if (char === '-' && next === '-') {
    const newline = text.indexOf('\n', start)
    return span(text, start, newline === -1 ? text.length : newline, 'line_comment')
  }
  if (char === '/' && next === '*') return span(text, start, scanBlockComment(text, start), 'block_comment')
  const prefixed = readPrefixedString(text, start)
  if (prefixed !== undefined) return prefixed
  if (char === "'")
    return { ...span(text, start, scanQuoted(text, start, "'", false), 'string'), style: 'standard' }
  if (char === '"') return span(text, start, scanQuoted(text, start, '"', false), 'quoted_ident')
  if (char === '$') return readDollar(text, start)
  if (DIGIT.test(char) || (char === '.' && DIGIT.test(next)))
    return span(text, start, scanNumber(text, start), 'number')
  if (WORD_START.test(char))
    return span(
      text,
      start,
      scanWhile(text, start, (c) => WORD_PART.test(c)),
      'word',
    )
  if (char === ':' && next === ':') return span(text, start, start + 2, 'operator')
  if (PUNCT_CHARS.includes(char)) return span(text, start, start + 1, 'punct')
  if (OPERATOR_CHARS.includes(char)) return span(text, start, scanOperator(text, start), 'operator')
  throw new LexError(`unexpected character "${char}"`, start)
}

function span(text: string, start: number, end: number, kind: TokenKind): Token {
  return { kind, text: text.slice(start, end), start, end }
}

function scanWhile(text: string, start: number, accept: (char: string) => boolean): number {
  let position = start
  while (position < text.length && accept(text.charAt(position))) position++
  return position
}

/** Block comments nest in PostgreSQL: `/* a /* b *\/ c *\/` is one comment. */
function scanBlockComment(text: string, start: number): number {
  let depth = 0
  let position = start
  while (position < text.length) {
    if (text.startsWith('/*', position)) {
      depth++
      position += 2
    } else if (text.startsWith('*/', position)) {
      depth--
      position += 2
      if (depth === 0) return position
    } else position++
  }
  throw new LexError('unterminated /* comment', start)
}

/**
 * A quoted run starting at `start` (the quote). The quote character is escaped by doubling it; with
 * `backslashEscapes` (E'…' strings) a backslash escapes the next character too.
 */
function scanQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let position = start + 1
  while (position < text.length) {
    const char = text.charAt(position)
    if (backslashEscapes && char === '\\') {
      position += 2
      continue
    }
    if (char === quote) {
      if (text.charAt(position + 1) === quote) {
        position += 2
        continue
      }
      return position + 1
    }
    position++
  }
  throw new LexError(quote === '"' ? 'unterminated quoted identifier' : 'unterminated string literal', start)
}

/** E'…', U&'…', U&"…", B'…', X'…', N'…' (prefix letters in any case). */
function readPrefixedString(text: string, start: number): Token | undefined {
  const head = text.slice(start, start + 3).toUpperCase()
  if (head.startsWith("E'")) {
    return { ...span(text, start, scanQuoted(text, start + 1, "'", true), 'string'), style: 'escape' }
  }
  if (head === "U&'") {
    return { ...span(text, start, scanQuoted(text, start + 2, "'", false), 'string'), style: 'unicode' }
  }
  if (head === 'U&"') return span(text, start, scanQuoted(text, start + 2, '"', false), 'quoted_ident')
  if (head.startsWith("B'") || head.startsWith("X'")) {
    return { ...span(text, start, scanQuoted(text, start + 1, "'", false), 'string'), style: 'bit' }
  }
  if (head.startsWith("N'")) {
    return { ...span(text, start, scanQuoted(text, start + 1, "'", false), 'string'), style: 'standard' }
  }
  return undefined
}

/** `$1` (a parameter) or `$tag$ … $tag$` (a dollar-quoted string). */
function readDollar(text: string, start: number): Token {
  if (DIGIT.test(text.charAt(start + 1))) {
    return span(
      text,
      start,
      scanWhile(text, start + 1, (c) => DIGIT.test(c)),
      'param',
    )
  }
  const tag = DOLLAR_TAG.exec(text.slice(start))?.[0]
  if (tag === undefined) throw new LexError('unexpected "$"', start)
  const close = text.indexOf(tag, start + tag.length)
  if (close === -1) throw new LexError('unterminated dollar-quoted string', start)
  return { ...span(text, start, close + tag.length, 'string'), style: 'dollar' }
}

function scanNumber(text: string, start: number): number {
  let position = scanWhile(text, start, (c) => DIGIT.test(c) || c === '_')
  if (text.charAt(position) === '.' && text.charAt(position + 1) !== '.') {
    position = scanWhile(text, position + 1, (c) => DIGIT.test(c) || c === '_')
  }
  if (/[eE]/.test(text.charAt(position))) {
    const sign = /[+-]/.test(text.charAt(position + 1)) ? 1 : 0
    if (DIGIT.test(text.charAt(position + 1 + sign))) {
      position = scanWhile(text, position + 1 + sign, (c) => DIGIT.test(c))
    }
  }
  return position
}

/** An operator run; like the server, it stops before a `--` or `/*` that would start a comment. */
function scanOperator(text: string, start: number): number {
  let position = start
  while (position < text.length && OPERATOR_CHARS.includes(text.charAt(position))) {
    if (position > start && (text.startsWith('--', position) || text.startsWith('/*', position))) break
    position++
  }
  return position
}

/** The next significant token at or after `position`, or undefined. */
export function nextSignificant(tokens: readonly Token[], position: number): Token | undefined {
  return tokens.find(
    (token) =>
      token.start >= position &&
      token.kind !== 'space' &&
      token.kind !== 'line_comment' &&
      token.kind !== 'block_comment',
  )
}

/**
 * The span of a (possibly qualified) name starting at `start`: `name`, `schema.name`, `"a"."b"`,
 * with optional whitespace around the dots.
 */
export function qualifiedNameSpan(text: string, start: number): { start: number; end: number } {
  const tokens = tokenize(text.slice(start)).map((token) => ({
    ...token,
    start: token.start + start,
    end: token.end + start,
  }))
  const parts = significant(tokens)
  let index = 0
  const isName = (token: Token | undefined) => token?.kind === 'word' || token?.kind === 'quoted_ident'
  if (!isName(parts[0])) throw new LexError('expected a table name', start)
  let end = parts[0]!.end
  while (parts[index + 1]?.text === '.' && isName(parts[index + 2])) {
    end = parts[index + 2]!.end
    index += 2
  }
  return { start, end }
}
