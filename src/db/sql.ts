/**
 * Parameterised SQL, composed safely: values in a `sql` template are always bound parameters;
 * identifiers go through `ident`; only code-owned text goes through `trusted`. `compile` numbers the
 * placeholders, so fragments nest freely.
 */

const FRAGMENT = Symbol('SqlFragment')

export interface SqlFragment {
  readonly [FRAGMENT]: true
  readonly parts: readonly (string | { value: unknown } | SqlFragment)[]
}

export interface CompiledQuery {
  text: string
  values: unknown[]
}

function fragment(parts: SqlFragment['parts']): SqlFragment {
  return { [FRAGMENT]: true, parts }
}

export function isSqlFragment(value: unknown): value is SqlFragment {
  return typeof value === 'object' && value !== null && FRAGMENT in value
}

/** `sql\`SELECT * FROM t WHERE id = ${id}\`` — interpolated values are bound; nested fragments are inlined. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  const parts: (string | { value: unknown } | SqlFragment)[] = []
  strings.forEach((text, index) => {
    if (text !== '') parts.push(text)
    if (index < values.length) {
      const value = values[index]
      parts.push(isSqlFragment(value) ? value : { value })
    }
  })
  return fragment(parts)
}

/** SQL text owned by the code (never user input): keywords, column lists from constants. */
export function trusted(text: string): SqlFragment {
  return fragment([text])
}

/** A quoted identifier (column, table, schema); dotted paths are quoted per part by `qualified`. */
export function ident(name: string): SqlFragment {
  return fragment([quoteIdent(name)])
}

export function qualified(...names: string[]): SqlFragment {
  return fragment([names.map(quoteIdent).join('.')])
}

/** The single identifier-quoting helper: PostgreSQL double quotes, embedded quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\u0000')) throw new TypeError('invalid SQL identifier')
  return `"${name.replaceAll('"', '""')}"`
}

export function join(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  const parts: SqlFragment['parts'][number][] = []
  fragments.forEach((item, index) => {
    if (index > 0) parts.push(separator)
    parts.push(item)
  })
  return fragment(parts)
}

export const EMPTY: SqlFragment = fragment([])

export function isEmpty(query: SqlFragment): boolean {
  return query.parts.every((part) =>
    typeof part === 'string' ? part === '' : isSqlFragment(part) && isEmpty(part),
  )
}

/** `a AND b AND c`, skipping empty fragments; TRUE when nothing is left. */
export function and(conditions: readonly SqlFragment[]): SqlFragment {
  return combine(conditions, ' AND ', 'TRUE')
}

/** `(a OR b)`, skipping empty fragments; FALSE when nothing is left. */
export function or(conditions: readonly SqlFragment[]): SqlFragment {
  return combine(conditions, ' OR ', 'FALSE')
}

/**
 * Each condition and the whole result are parenthesised, so a combined predicate can be interpolated
 * next to other conditions (`x AND ${or([a, b])}`) without operator precedence widening it.
 */
function combine(conditions: readonly SqlFragment[], operator: string, whenEmpty: string): SqlFragment {
  const kept = conditions.filter((condition) => !isEmpty(condition))
  if (kept.length === 0) return trusted(whenEmpty)
  return sql`(${join(
    kept.map((condition) => sql`(${condition})`),
    operator,
  )})`
}

export function compile(query: SqlFragment): CompiledQuery {
  const values: unknown[] = []
  const text = render(query, values)
  return { text, values }
}

function render(query: SqlFragment, values: unknown[]): string {
  let text = ''
  for (const part of query.parts) {
    if (typeof part === 'string') text += part
    else if (isSqlFragment(part)) text += render(part, values)
    else {
      values.push(part.value)
      text += `$${values.length}`
    }
  }
  return text
}
