/**
 * Superset 6.1's schema discovery resources (superset/mcp_service/system/resources/schema_discovery.py;
 * issue 17, item 6): superset://schema/{chart,dataset,dashboard} describe what each list tool accepts
 * (select_columns, order_column, search), superset://schema/all all three plus usage notes. 6.1 serves them
 * to any authenticated caller (mcp_auth_hook, no class permission), as JSON indented by two spaces. They
 * agree with get_schema (test_get_schema.py: the *_DEFAULT_COLUMNS, *_SORTABLE_COLUMNS, *_SEARCH_COLUMNS).
 * Read through the Worker's fetch (MCP resources/read) with a token, as a client does.
 */
import { describe, expect, it } from 'vitest'
import { callAs, readResourceAs, rpcAs } from '../helpers/call-as'

const MODELS = ['chart', 'dataset', 'dashboard'] as const

describe('superset://schema resources', () => {
  it.each(MODELS)('superset://schema/%s has 6.1 keys and agrees with get_schema', async (model) => {
    const text = await readResourceAs('bob', `superset://schema/${model}`)
    expect(text).toContain('\n  "model_type"')
    const resource = JSON.parse(text)
    expect(Object.keys(resource)).toEqual([
      'model_type',
      'select_columns',
      'all_column_names',
      'default_columns',
      'sortable_columns',
      'search_columns',
      'default_sort',
      'default_sort_direction',
    ])
    const { schema_info: info } = await callAs('bob', 'get_schema', { model_type: model })
    expect(resource).toEqual({
      model_type: model,
      select_columns: info.select_columns.map(({ name, description, type }: any) => ({
        name,
        description,
        type,
      })),
      all_column_names: info.select_columns.map((column: any) => column.name),
      default_columns: info.default_select,
      sortable_columns: info.sortable_columns,
      search_columns: info.search_columns,
      default_sort: 'changed_on',
      default_sort_direction: 'desc',
    })
  })

  it('superset://schema/all holds the three and the usage notes (get_all_schemas_resource)', async () => {
    const all = JSON.parse(await readResourceAs('bob', 'superset://schema/all'))
    expect(Object.keys(all)).toEqual(['chart', 'dataset', 'dashboard', 'metadata'])
    for (const model of MODELS) {
      expect(all[model]).toEqual(JSON.parse(await readResourceAs('bob', `superset://schema/${model}`)))
    }
    expect(all.metadata).toEqual({
      description: 'Schema discovery metadata for Superset MCP service',
      usage: {
        select_columns: expect.stringContaining('select_columns parameter'),
        sortable_columns: expect.stringContaining('order_column parameter'),
        search_columns: expect.stringContaining('search parameter'),
        default_columns: expect.stringContaining('select_columns is not specified'),
      },
    })
  })

  it('is listed and served to any authenticated caller, one who may see no data too (erin)', async () => {
    const { resources } = await rpcAs('erin', 'resources/list')
    expect(resources.map((resource: any) => resource.uri)).toEqual(
      expect.arrayContaining(
        MODELS.map((model) => `superset://schema/${model}`).concat('superset://schema/all'),
      ),
    )
    const chart = JSON.parse(await readResourceAs('erin', 'superset://schema/chart'))
    expect(chart.model_type).toBe('chart')
    expect(chart.search_columns).toEqual(['slice_name', 'description'])
  })
})
