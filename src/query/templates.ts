/**
 * Superset renders RLS clauses (and dataset SQL) through Jinja. The gateway renders exactly three of
 * Superset's macros — current_username(), current_user_id(), current_user_email() — and refuses every
 * other template construct, so a clause it cannot evaluate never runs half-rendered.
 *
 * The values are spliced according to where the macro stands: inside a quoted string ('{{ … }}', the
 * usual way clauses are written) the value is escaped for that string; standing alone it becomes a
 * quoted literal (a number for the user id). Any other position (identifier, comment, dollar string,
 * part of a word) is refused.
 */
import { GatewayError } from '../errors'
import { applyEdits, Offsets, SqlSyntaxError, type ScanToken, type SqlParser } from '../guardrails'

export interface TemplateUser {
  id: number
  username: string
  email: string
}

const TEMPLATE_START = /\{\{|\{%|\{#/
const MACRO =
  /\{\{\s*(current_username|current_user_id|current_user_email)\s*\(\s*(?:add_to_cache_keys\s*=\s*(?:True|False|true|false)\s*)?\)\s*\}\}/y

type MacroName = 'current_username' | 'current_user_id' | 'current_user_email'

export function hasTemplate(text: string): boolean {
  return TEMPLATE_START.test(text)
}

/** Renders the supported macros in `text`; `what` names the text in errors. */
export function renderTemplate(parser: SqlParser, text: string, user: TemplateUser, what: string): string {
  if (!hasTemplate(text)) return text
  const { withPlaceholders, macros } = extractMacros(text, what)
  let tokens: ScanToken[]
  try {
    tokens = parser.scan(withPlaceholders)
  } catch (err) {
    if (err instanceof SqlSyntaxError) throw refusal(what, 'it cannot be read as SQL')
    throw err
  }
  const offsets = new Offsets(withPlaceholders)
  const edits = tokens
    .filter((token) => token.text.includes('mcpjinjamacro'))
    .map((token) => ({
      start: offsets.char(token.start),
      end: offsets.char(token.end),
      insert: renderToken(token, macros, user, what),
    }))
  const rendered = applyEdits(withPlaceholders, edits)
  // Every placeholder sits in a token the scanner reported; anything else is refused, never left in.
  if (rendered.includes('mcpjinjamacro')) {
    throw refusal(what, 'a template macro stands where its value cannot be placed safely')
  }
  return rendered
}

function extractMacros(text: string, what: string): { withPlaceholders: string; macros: MacroName[] } {
  const macros: MacroName[] = []
  let output = ''
  let position = 0
  while (position < text.length) {
    const found = text.slice(position).search(TEMPLATE_START)
    if (found === -1) {
      output += text.slice(position)
      break
    }
    const start = position + found
    output += text.slice(position, start)
    MACRO.lastIndex = start
    const match = MACRO.exec(text)
    if (match === null) {
      const snippet = text.slice(start, start + 40)
      throw refusal(
        what,
        `the template "${snippet}" is not supported (only {{ current_username() }}, {{ current_user_id() }} and {{ current_user_email() }} are)`,
      )
    }
    output += placeholder(macros.length)
    macros.push(match[1] as MacroName)
    position = start + match[0].length
  }
  return { withPlaceholders: output, macros }
}

// Letters and digits only: the placeholder reads the same in every lexical position.
const placeholder = (index: number) => `mcpjinjamacro${index}x`
const PLACEHOLDER = /mcpjinjamacro(\d+)x/g

function renderToken(
  token: ScanToken,
  macros: readonly MacroName[],
  user: TemplateUser,
  what: string,
): string {
  if (/^mcpjinjamacro\d+x$/.test(token.text)) return standaloneLiteral(macroOf(token.text, macros), user)
  const style = /^[Ee]'/.test(token.text) ? 'escape' : token.text.startsWith("'") ? 'standard' : undefined
  if (style !== undefined) {
    const escape = style === 'escape' ? escapeForEString : escapeForStandardString
    return token.text.replace(PLACEHOLDER, (_, index: string) =>
      escape(String(valueOf(macros[Number(index)]!, user))),
    )
  }
  throw refusal(
    what,
    'a template macro stands where its value cannot be placed safely (inside an identifier, comment, special string or word)',
  )
}

function macroOf(text: string, macros: readonly MacroName[]): MacroName {
  return macros[Number(/\d+/.exec(text)?.[0])]!
}

function valueOf(macro: MacroName, user: TemplateUser): string | number {
  switch (macro) {
    case 'current_username':
      return user.username
    case 'current_user_id':
      return user.id
    case 'current_user_email':
      return user.email
    default:
      return macro satisfies never
  }
}

function standaloneLiteral(macro: MacroName, user: TemplateUser): string {
  const value = valueOf(macro, user)
  return typeof value === 'number' ? String(Math.trunc(value)) : `'${escapeForStandardString(value)}'`
}

function escapeForStandardString(value: string): string {
  if (value.includes('\u0000'))
    throw new GatewayError('ValidationError', 'A template value contains a NUL character.')
  return value.replaceAll("'", "''")
}

function escapeForEString(value: string): string {
  return escapeForStandardString(value.replaceAll('\\', '\\\\'))
}

function refusal(what: string, why: string): GatewayError {
  return new GatewayError('ValidationError', `The ${what} cannot be used: ${why}.`, {
    details: { reason: 'unsupported_template' },
  })
}
