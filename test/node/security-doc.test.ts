/** docs/SECURITY.md lists exactly what the SQL allow-lists allow: the document cannot drift from the code. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ALLOWED_OPERATORS, ALLOWED_TYPES, FUNCTION_CATEGORIES } from '../../src/guardrails/allow-list'

const doc = readFileSync(new URL('../../docs/SECURITY.md', import.meta.url), 'utf8')
const listed = (line: string) => [...line.matchAll(/`([^`]+)`/g)].map((match) => match[1])

describe('docs/SECURITY.md', () => {
  it.each(Object.entries(FUNCTION_CATEGORIES))('lists the %s functions', (category, names) => {
    const line = doc.split('\n').find((text) => text.startsWith(`- **${category}**:`))
    expect(line, `no line for ${category}`).toBeDefined()
    expect(listed(line!)).toEqual([...names])
  })

  it('lists the types and operators', () => {
    const flat = doc.replace(/\n/g, ' ')
    const types = /Types \(casts and column definitions\): (.*?)\. Not `reg\*`/.exec(flat)?.[1] ?? ''
    expect(new Set(listed(types))).toEqual(ALLOWED_TYPES)
    const operators = /Operators: (.*?)\. `TABLESAMPLE`/.exec(flat)?.[1] ?? ''
    expect(new Set(listed(operators))).toEqual(ALLOWED_OPERATORS)
  })
})
