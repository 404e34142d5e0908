/**
 * create_virtual_dataset: the dataset, its columns from the database, its perm columns and the matching
 * permission rows, and the checks on its SQL.
 */
import { describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { callAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

describe('create_virtual_dataset', () => {
  it('creates a virtual dataset with its columns, perms, permission rows and owner', async () => {
    const created = await callAs('alice', 'create_virtual_dataset', {
      database_id: 1,
      schema: 'sales',
      table_name: 'revenue_by_day',
      sql: 'SELECT order_date::date AS day, region, sum(order_total) AS revenue FROM sales.orders GROUP BY 1, 2',
    })
    // 6.1 CreateVirtualDatasetResponse (test_dataset_tools.py test_create_virtual_dataset_success).
    expect(created).toMatchObject({
      dataset_name: 'revenue_by_day',
      database_id: 1,
      schema: 'sales',
      columns: ['day', 'region', 'revenue'],
      url: `https://superset.example.test/explore/?datasource_type=table&datasource_id=${created.id}`,
      error: null,
    })
    const [stored] = await withMetadataDb((db) =>
      db.query<{
        table_name: string
        is_virtual: boolean
        main_dttm_col: string
        perm: string
        schema_perm: string
      }>(
        sql`SELECT table_name, sql IS NOT NULL AS is_virtual, main_dttm_col, perm, schema_perm FROM tables WHERE id = ${created.id}`,
      ),
    )
    expect(stored).toEqual({
      table_name: 'revenue_by_day',
      is_virtual: true,
      main_dttm_col: 'day',
      perm: `[examples].[revenue_by_day](id:${created.id})`,
      schema_perm: '[examples].[sales]',
    })
    const columns = await withMetadataDb((db) =>
      db.query<{ column_name: string; is_dttm: boolean }>(
        sql`SELECT column_name, is_dttm FROM table_columns WHERE table_id = ${created.id} ORDER BY id`,
      ),
    )
    expect(columns.map((column) => [column.column_name, column.is_dttm])).toEqual([
      ['day', true],
      ['region', false],
      ['revenue', false],
    ])
    const perm = stored!.perm
    const pairs = await withMetadataDb((db) =>
      db.query<{ permission: string; view: string }>(sql`
        SELECT p.name AS permission, v.name AS view FROM ab_permission_view pv
          JOIN ab_permission p ON p.id = pv.permission_id JOIN ab_view_menu v ON v.id = pv.view_menu_id
         WHERE v.name = ${perm}`),
    )
    expect(pairs).toEqual([{ permission: 'datasource_access', view: perm }])
    const owners = await withMetadataDb((db) =>
      db.query(sql`SELECT user_id FROM sqlatable_user WHERE table_id = ${created.id}`),
    )
    expect(owners).toEqual([{ user_id: 2 }])
    // It can be charted straight away.
    const chart = await callAs('alice', 'generate_chart', {
      dataset_id: created.id,
      config: {
        chart_type: 'table',
        columns: [{ name: 'region' }, { name: 'revenue', aggregate: 'SUM', label: 'total' }],
      },
      preview_formats: ['table'],
    })
    expect(chart.previews.table.table_data).toContain('EMEA')
  })

  // 6.1 answers these in-band (DatasetInvalidError): id null, no columns, the reason in `error`.
  const refused = (error: unknown) => ({ id: null, columns: [], url: null, uuid: null, error })

  it('refuses a second dataset with the same name in the same place', async () => {
    const request = { database_id: 1, schema: 'sales', table_name: 'dup_probe', sql: 'SELECT 1 AS one' }
    await callAs('alice', 'create_virtual_dataset', request)
    expect(await callAs('alice', 'create_virtual_dataset', request)).toMatchObject(
      refused(expect.stringContaining('A dataset named "dup_probe" already exists')),
    )
  })

  it.each([
    ['two statements', 'alice', { database_id: 1, sql: 'SELECT 1; SELECT 2' }, 'exactly one SELECT'],
    ['a write', 'alice', { database_id: 3, sql: 'DELETE FROM scratch.sales_targets' }, 'exactly one SELECT'],
    ['a database that is not PostgreSQL', 'admin', { database_id: 4, sql: 'SELECT 1' }, 'legacy_mysql'],
  ])('refuses %s', async (_case, user, request, message) => {
    expect(
      await callAs(user, 'create_virtual_dataset', { ...request, table_name: 'refused_probe' }),
    ).toMatchObject(refused(expect.stringContaining(message)))
  })

  it('is not offered to users without can_write on Dataset', async () => {
    await expect(
      callAs('bob', 'create_virtual_dataset', { database_id: 1, table_name: 'x', sql: 'SELECT 1' }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: create_virtual_dataset'),
    })
  })
})
