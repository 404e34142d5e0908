/**
 * list_annotation_layers, get_annotation_layer_info, list_layer_annotations, get_layer_annotation_info
 * (Superset's development branch, mcp_service/annotation_layer): the contract of its schemas.py on the
 * demo layers, who may call them (can_read on Annotation: Admin and Alpha), and the tools of this group
 * hidden on a metadata database without their tables.
 */
import { describe, expect, it } from 'vitest'
import { sql, type Db } from '../../src/db'
import { loadPrincipal, readSchemaProfile } from '../../src/superset'
import { toolsVisibleTo } from '../../src/tools'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'

const ANNOTATION_TOOLS = [
  'get_annotation_layer_info',
  'get_layer_annotation_info',
  'list_annotation_layers',
  'list_layer_annotations',
]
const THEME_TOOLS = ['create_theme', 'get_theme_info', 'list_themes']

const ids = (items: any[]): number[] => items.map((item) => item.id)
const withoutCacheStatus = ({ cache_status: _, ...rest }: any) => rest

describe('list_annotation_layers', () => {
  it("defaults to Superset's default columns, last changed first", async () => {
    const result = await callAs('alice', 'list_annotation_layers', {})
    expect(ids(result.annotation_layers)).toEqual([3, 4, 1, 2])
    expect(result).toMatchObject({
      count: 4,
      total_count: 4,
      page: 1,
      page_size: 10,
      total_pages: 1,
      has_previous: false,
      has_next: false,
      columns_requested: ['id', 'name', 'descr'],
      columns_available: ['id', 'name', 'descr', 'changed_on', 'created_on'],
      sortable_columns: ['id', 'name', 'changed_on', 'created_on'],
      filters_applied: [],
    })
    expect(result.annotation_layers[0]).toEqual({
      id: 3,
      name: 'Data incidents',
      descr: 'Periods when figures were late or wrong, and why.',
    })
  })

  it('filters on name, searches name and description, orders and chooses columns', async () => {
    const byName = await callAs('admin', 'list_annotation_layers', {
      filters: [{ col: 'name', opr: 'ilike', value: 'campaign' }],
    })
    expect(ids(byName.annotation_layers)).toEqual([2])
    const search = await callAs('admin', 'list_annotation_layers', { search: 'dashboard' })
    expect(ids(search.annotation_layers)).toEqual([2])
    const ordered = await callAs('admin', 'list_annotation_layers', {
      order_column: 'name',
      order_direction: 'asc',
      select_columns: ['id', 'name', 'created_on'],
    })
    expect(ordered.annotation_layers.map((layer: any) => layer.name)).toEqual([
      'Data incidents',
      'Marketing campaigns',
      'Product releases',
      'Public holidays',
    ])
    expect(ordered.annotation_layers[0]).toEqual({
      id: 3,
      name: 'Data incidents',
      created_on: '2026-02-20T08:10:00.000000',
    })
    await expect(
      callAs('admin', 'list_annotation_layers', { filters: [{ col: 'descr', opr: 'eq', value: 'x' }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
  })
})

describe('get_annotation_layer_info', () => {
  it('answers every AnnotationLayerInfo field by id', async () => {
    expect(withoutCacheStatus(await callAs('alice', 'get_annotation_layer_info', { id: 4 }))).toEqual({
      id: 4,
      name: 'Public holidays',
      descr: null,
      changed_on: '2026-04-01T12:00:00.000000',
      created_on: '2026-04-01T12:00:00.000000',
    })
  })

  it('answers a missing layer as not found', async () => {
    await expect(callAs('admin', 'get_annotation_layer_info', { id: 99 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Annotation layer with identifier '99' not found"),
    })
    await expect(callAs('admin', 'get_annotation_layer_info', {})).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('list_layer_annotations', () => {
  it("lists one layer's annotations, newest start first, with the layer filter applied first", async () => {
    const result = await callAs('alice', 'list_layer_annotations', { layer_id: 1 })
    expect(ids(result.annotations)).toEqual([3, 2, 1])
    expect(result).toMatchObject({
      layer_id: 1,
      count: 3,
      total_count: 3,
      columns_requested: ['id', 'short_descr', 'start_dttm', 'end_dttm', 'layer_id'],
      columns_available: [
        'id',
        'short_descr',
        'long_descr',
        'start_dttm',
        'end_dttm',
        'json_metadata',
        'layer_id',
      ],
      sortable_columns: ['id', 'short_descr', 'start_dttm', 'end_dttm'],
      filters_applied: [{ col: 'layer_id', opr: 'eq', value: 1 }],
    })
    expect(result.annotations[2]).toEqual({
      id: 1,
      short_descr: 'Web shop 4.0',
      start_dttm: '2026-01-15T00:00:00.000000',
      end_dttm: '2026-01-15T00:00:00.000000',
      layer_id: 1,
    })
  })

  it('filters on short_descr, searches both descriptions, and never leaves the layer', async () => {
    const filtered = await callAs('admin', 'list_layer_annotations', {
      layer_id: 1,
      filters: [{ col: 'short_descr', opr: 'sw', value: 'Web shop' }],
      order_column: 'start_dttm',
      order_direction: 'asc',
    })
    expect(ids(filtered.annotations)).toEqual([1, 3])
    expect(filtered.filters_applied).toEqual([
      { col: 'layer_id', opr: 'eq', value: 1 },
      { col: 'short_descr', opr: 'sw', value: 'Web shop' },
    ])
    // "campaign" is in annotation 5's long description (layer 2): not in layer 1.
    const search = await callAs('admin', 'list_layer_annotations', { layer_id: 2, search: 'campaign' })
    expect(ids(search.annotations)).toEqual([5])
    const elsewhere = await callAs('admin', 'list_layer_annotations', { layer_id: 1, search: 'campaign' })
    expect(elsewhere).toMatchObject({ annotations: [], total_count: 0, layer_id: 1 })
    const metadata = await callAs('admin', 'list_layer_annotations', {
      layer_id: 2,
      select_columns: 'id,json_metadata',
      order_column: 'id',
      order_direction: 'asc',
    })
    expect(metadata.annotations).toEqual([
      { id: 4, json_metadata: '{"channels": ["search", "social"], "budget_eur": 40000}' },
      { id: 5, json_metadata: null },
    ])
  })

  it('answers a missing layer as not found, and needs layer_id', async () => {
    await expect(callAs('admin', 'list_layer_annotations', { layer_id: 99 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Annotation layer with id '99' not found"),
    })
    await expect(callAs('admin', 'list_layer_annotations', {})).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('get_layer_annotation_info', () => {
  it('answers every AnnotationInfo field', async () => {
    expect(
      withoutCacheStatus(
        await callAs('alice', 'get_layer_annotation_info', { layer_id: 3, annotation_id: 6 }),
      ),
    ).toEqual({
      id: 6,
      short_descr: 'Late orders load',
      long_descr: 'The nightly orders load finished seven hours late; dashboards showed the previous day.',
      start_dttm: '2026-02-18T02:00:00.000000',
      end_dttm: '2026-02-18T09:30:00.000000',
      json_metadata: '{"ticket": "DATA-112"}',
      layer_id: 3,
    })
  })

  it('answers a missing layer, a missing annotation and one of another layer as not found', async () => {
    await expect(
      callAs('admin', 'get_layer_annotation_info', { layer_id: 99, annotation_id: 1 }),
    ).rejects.toMatchObject({ type: 'NotFoundError', message: expect.stringContaining("layer with id '99'") })
    await expect(
      callAs('admin', 'get_layer_annotation_info', { layer_id: 1, annotation_id: 999 }),
    ).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Annotation with id '999' not found"),
    })
    await expect(
      callAs('admin', 'get_layer_annotation_info', { layer_id: 1, annotation_id: 6 }),
    ).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Annotation '6' does not belong to layer '1'"),
    })
  })
})

describe('who may use the annotation tools', () => {
  it('Admin and Alpha (can_read on Annotation) see them; Gamma users do not, and calls read as unknown', async () => {
    expect(await toolNamesAs('admin')).toEqual(expect.arrayContaining(ANNOTATION_TOOLS))
    expect(await toolNamesAs('alice')).toEqual(expect.arrayContaining(ANNOTATION_TOOLS))
    for (const user of ['bob', 'carol', 'erin']) {
      const names = await toolNamesAs(user)
      for (const tool of ANNOTATION_TOOLS) expect(names).not.toContain(tool)
    }
    await expect(callAs('bob', 'list_annotation_layers')).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: list_annotation_layers'),
    })
  })
})

class Rollback extends Error {}

/** The tools the admin would be shown after `change`, which is then undone. */
async function adminToolsAfter(change: (tx: Db) => Promise<void>): Promise<string[]> {
  let names: string[] | undefined
  await withMetadataDb(async (db) => {
    try {
      await db.transaction(async (tx) => {
        await change(tx)
        const profile = await readSchemaProfile(tx)
        const admin = await loadPrincipal(
          tx,
          profile,
          { username: 'admin' },
          { adminRole: 'Admin', tenant: 'default' },
        )
        names = toolsVisibleTo(admin, { conformanceFixtures: false }, profile).map((tool) => tool.name)
        throw new Rollback()
      })
    } catch (err) {
      if (!(err instanceof Rollback)) throw err
    }
  })
  if (names === undefined) throw new Error('no tools listed')
  return names
}

describe('on a metadata database without the tables', () => {
  it('lists every tool of the group where the tables exist', async () => {
    expect(await adminToolsAfter(async () => undefined)).toEqual(
      expect.arrayContaining([...ANNOTATION_TOOLS, ...THEME_TOOLS]),
    )
  })

  it('hides the annotation tools where annotation_layer is missing, and only them', async () => {
    const names = await adminToolsAfter(async (tx) => {
      await tx.query(sql`DROP TABLE annotation`)
      await tx.query(sql`DROP TABLE annotation_layer`)
    })
    for (const tool of ANNOTATION_TOOLS) expect(names).not.toContain(tool)
    expect(names).toEqual(expect.arrayContaining([...THEME_TOOLS, 'list_dashboards']))
  })

  it('hides them where only annotation is missing, and the theme tools where themes is', async () => {
    const withoutAnnotation = await adminToolsAfter(async (tx) => {
      await tx.query(sql`DROP TABLE annotation`)
    })
    for (const tool of ANNOTATION_TOOLS) expect(withoutAnnotation).not.toContain(tool)
    const withoutThemes = await adminToolsAfter(async (tx) => {
      await tx.query(sql`ALTER TABLE dashboards DROP COLUMN theme_id`)
      await tx.query(sql`DROP TABLE themes`)
    })
    for (const tool of THEME_TOOLS) expect(withoutThemes).not.toContain(tool)
    expect(withoutThemes).toEqual(expect.arrayContaining(ANNOTATION_TOOLS))
  })
})
