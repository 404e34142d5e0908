/**
 * A prepared query as text a person reads ("View query" in Superset): the bound values written in as
 * SQL literals. Only for showing; the engine always runs the parameterised form.
 */
import type { SqlFragment } from '../db'
import { GatewayError } from '../errors'
import { sqlParser } from '../guardrails'

/** A value as a PostgreSQL literal (standard_conforming_strings on, as every analytics session sets). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL'
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(', ')}]`
  if (value instanceof Date) return `'${value.toISOString()}'`
  return `'${String(value).replaceAll("'", "''")}'`
}

function render(fragment: SqlFragment): string {
  let text = ''
  for (const part of fragment.parts) {
    if (typeof part === 'string') text += part
    else if ('parts' in part) text += render(part)
    else text += literal(part.value)
  }
  return text
}

/** The statement with its values inlined; still exactly one statement, as the parser reads it. */
export async function displaySql(statement: SqlFragment, what: string): Promise<string> {
  const text = render(statement)
  const parser = await sqlParser()
  if (parser.parse(text).length !== 1) {
    throw new GatewayError('ValidationError', `${what} could not be shown as a single query.`, {
      details: { reason: 'invalid_query' },
    })
  }
  return text
}
