import { describe, expect, it } from 'vitest'
import { and, compile, ident, join, or, qualified, quoteIdent, sql, trusted } from '../../src/db'

describe('the SQL builder', () => {
  it('binds every interpolated value and numbers placeholders across nested fragments', () => {
    const inner = sql`b = ${2} AND c = ${'x'}`
    expect(compile(sql`SELECT * FROM t WHERE a = ${1} AND ${inner} AND d = ANY(${[3, 4]})`)).toEqual({
      text: 'SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = ANY($4)',
      values: [1, 2, 'x', [3, 4]],
    })
  })

  it('never splices a value into the text, whatever it contains', () => {
    const hostile = "'; DROP TABLE dashboards; --"
    const compiled = compile(sql`SELECT ${hostile}`)
    expect(compiled.text).toBe('SELECT $1')
    expect(compiled.values).toEqual([hostile])
  })

  it('quotes identifiers with one helper, doubling embedded quotes', () => {
    expect(quoteIdent('order')).toBe('"order"')
    expect(quoteIdent('we"ird; x')).toBe('"we""ird; x"')
    expect(compile(qualified('sales', 'orders')).text).toBe('"sales"."orders"')
    expect(compile(ident('a"b')).text).toBe('"a""b"')
    expect(() => quoteIdent('')).toThrow()
    expect(() => quoteIdent('a\u0000b')).toThrow()
  })

  it('combines conditions, skipping empty ones', () => {
    expect(compile(and([sql`a = ${1}`, trusted(''), sql`b = ${2}`])).text).toBe('((a = $1) AND (b = $2))')
    // Interpolated beside another condition, a combination keeps its own precedence.
    expect(compile(sql`id = ${7} AND ${or([sql`a`, sql`b`])}`).text).toBe('id = $1 AND ((a) OR (b))')
    expect(compile(and([])).text).toBe('TRUE')
    expect(compile(or([])).text).toBe('FALSE')
    expect(compile(join([trusted('x'), trusted('y')], ', ')).text).toBe('x, y')
  })
})
