/**
 * save_sql_query and open_sql_lab_with_context.
 */
import { describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { callAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'

describe('save_sql_query', () => {
  it("saves a query owned by the caller, with Superset's columns", async () => {
    const saved = await callAs('bob', 'save_sql_query', {
      database_id: 1,
      label: 'Orders by region',
      sql: 'SELECT region, count(*) FROM sales.orders GROUP BY 1',
      schema: 'sales',
      description: 'Quick check',
    })
    expect(saved).toMatchObject({ label: 'Orders by region', database_id: 1, schema: 'sales', catalog: null })
    expect(saved.url).toBe(`https://superset.example.test/sqllab?savedQueryId=${saved.id}`)
    const [row] = await withMetadataDb((db) =>
      db.query<any>(sql`SELECT user_id, db_id, label, schema, sql, created_by_fk, uuid IS NOT NULL AS has_uuid, created_on IS NOT NULL AS stamped
                          FROM saved_query WHERE id = ${saved.id}`),
    )
    expect(row).toMatchObject({
      user_id: 3,
      db_id: 1,
      label: 'Orders by region',
      schema: 'sales',
      created_by_fk: 3,
      has_uuid: true,
      stamped: true,
    })
  })

  it('refuses a database the caller may not see, and bad input', async () => {
    await expect(
      callAs('bob', 'save_sql_query', { database_id: 2, label: 'x', sql: 'SELECT 1' }),
    ).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Database with identifier '2' not found. Check the identifier with list_databases.",
    })
    await expect(
      callAs('bob', 'save_sql_query', { database_id: 1, label: '', sql: 'SELECT 1' }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(
      callAs('bob', 'save_sql_query', { database_id: 1, label: 'x', sql: '   ' }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
  })

  it('is not offered to users without can_write on SavedQuery', async () => {
    await expect(
      callAs('erin', 'save_sql_query', { database_id: 1, label: 'x', sql: 'SELECT 1' }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: save_sql_query'),
    })
  })
})

describe('open_sql_lab_with_context', () => {
  it('links to SQL Lab with the database, schema, query and tab name, writing nothing', async () => {
    const result = await callAs('bob', 'open_sql_lab_with_context', {
      database_connection_id: 1,
      schema: 'sales',
      sql: 'SELECT * FROM sales.orders LIMIT 10',
      title: 'Orders',
    })
    const url = new URL(result.url)
    // 6.1 sql_lab/tool/open_sql_lab_with_context.py: f"{base}/sqllab?{urlencode(params)}", the tab as title.
    expect(url.origin + url.pathname).toBe('https://superset.example.test/sqllab')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      dbid: '1',
      schema: 'sales',
      sql: 'SELECT * FROM sales.orders LIMIT 10',
      title: 'Orders',
    })
    expect(result).toMatchObject({ database_id: 1, schema: 'sales', title: 'Orders', error: null })
  })

  it('starts from a dataset in context and accepts database_id', async () => {
    const result = await callAs('dave', 'open_sql_lab_with_context', {
      database_id: 2,
      dataset_in_context: 'finance.gl_entries',
    })
    expect(new URL(result.url).searchParams.get('sql')).toBe(
      "-- Context: Working with dataset 'finance.gl_entries'\n-- Database: finance_dw\n\nSELECT * FROM finance.gl_entries LIMIT 100;",
    )
  })

  it('needs a database the caller may see', async () => {
    await expect(callAs('dave', 'open_sql_lab_with_context', {})).rejects.toMatchObject({
      type: 'ValidationError',
    })
    await expect(callAs('dave', 'open_sql_lab_with_context', { database_id: 1 })).rejects.toMatchObject({
      type: 'NotFoundError',
    })
  })
})
