/**
 * create_theme (Superset's development branch, mcp_service/theme/tool/create_theme.py): the theme as
 * stored (a user theme, never a system one, owned by its creator), json_data checked as Superset 6.1
 * checks it before saving, dangerous values refused with nothing written, and lists refreshed after.
 */
import { describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { callAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'

interface StoredTheme {
  theme_name: string
  json_data: string
  uuid: string
  is_system: boolean
  is_system_default: boolean
  is_system_dark: boolean
  created_by_fk: number
  changed_by_fk: number
  created_on: string | null
}

const stored = (id: number): Promise<StoredTheme | undefined> =>
  withMetadataDb(async (db) => {
    const [row] = await db.query<StoredTheme>(sql`
      SELECT theme_name, json_data, uuid::text AS uuid, is_system, is_system_default, is_system_dark,
             created_by_fk, changed_by_fk, created_on::text AS created_on
        FROM themes WHERE id = ${id}`)
    return row
  })

const themeCount = (): Promise<number> =>
  withMetadataDb(async (db) => {
    const [row] = await db.query<{ n: string }>(sql`SELECT count(*) AS n FROM themes`)
    return Number(row!.n)
  })

const create = (json_data: unknown, theme_name = 'Probe theme', user = 'alice') =>
  callAs(user, 'create_theme', { theme_name, json_data })

describe('create_theme', () => {
  it('stores a user theme owned by its creator and answers its id and UUID', async () => {
    const config = {
      algorithm: ['dark', 'compact'],
      token: {
        colorPrimary: '#1d4ed8',
        fontFamily: "'Inter', sans-serif",
        borderRadius: 6,
        fontUrls: ['https://fonts.googleapis.com/css2?family=Inter:wght@400;600'],
        brandLogoUrl: 'https://cdn.example.com/logo.svg',
      },
      components: { Button: { borderRadius: 16 } },
      inherit: true,
    }
    const result = await create(config, 'Night Blue')
    expect(result).toEqual({
      success: true,
      id: expect.any(Number),
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      theme_name: 'Night Blue',
      message: "Theme 'Night Blue' created successfully",
      error: null,
      error_type: null,
    })
    const row = await stored(result.id)
    expect(row).toMatchObject({
      theme_name: 'Night Blue',
      uuid: result.uuid,
      is_system: false,
      is_system_default: false,
      is_system_dark: false,
      created_by_fk: 2,
      changed_by_fk: 2,
      created_on: expect.any(String),
    })
    expect(JSON.parse(row!.json_data)).toEqual(config)
    const read = await callAs('bob', 'get_theme_info', { identifier: result.uuid })
    expect(read).toMatchObject({ id: result.id, theme_name: 'Night Blue', is_system: false })
  })

  it('takes json_data as JSON text too, and an empty configuration', async () => {
    const fromText = await create('{"token": {"colorPrimary": "#059669"}}', 'From text')
    expect(JSON.parse((await stored(fromText.id))!.json_data)).toEqual({ token: { colorPrimary: '#059669' } })
    const empty = await create({}, 'Empty')
    expect((await stored(empty.id))!.json_data).toBe('{}')
  })

  it('refreshes cached theme lists once a theme is created', async () => {
    const before = await callAs('bob', 'list_themes', { page_size: 100 })
    const result = await create({ token: { colorPrimary: '#111111' } }, 'Cache probe', 'admin')
    expect(before.themes.map((theme: any) => theme.id)).not.toContain(result.id)
    await eventually(async () => {
      const after = await callAs('bob', 'list_themes', { page_size: 100 })
      expect(after.themes.map((theme: any) => theme.id)).toContain(result.id)
    })
  })

  // [what, json_data, part of the error]
  const refused: [string, unknown, string][] = [
    ['text that is not JSON', '{"token": ', 'json_data is not valid JSON'],
    ['a JSON array', '[1, 2]', 'json_data must be a JSON object'],
    ['token not an object', { token: 'blue' }, 'token must be an object'],
    ['hashed not a boolean', { hashed: 'yes' }, 'hashed must be a boolean'],
    [
      'an unknown algorithm',
      { algorithm: 'neon' },
      'algorithm must be one of default, dark, system, compact',
    ],
    [
      'fontUrls not a list',
      { token: { fontUrls: 'https://fonts.googleapis.com/x' } },
      'fontUrls must be an array',
    ],
    [
      'an http font URL',
      { token: { fontUrls: ['http://fonts.googleapis.com/css2?family=Inter'] } },
      'fontUrls[0] must use HTTPS',
    ],
    [
      'a font host not allowed',
      { token: { fontUrls: ['https://fonts.evil.example/x.css'] } },
      "domain 'fonts.evil.example' not in allowed list",
    ],
    [
      'too many font URLs',
      { token: { fontUrls: Array(16).fill('https://fonts.gstatic.com/a.woff2') } },
      'Maximum 15 font URLs',
    ],
    [
      'a javascript: spinner URL',
      { token: { brandSpinnerUrl: 'javascript:alert(1)' } },
      'token.brandSpinnerUrl must be an http(s) URL',
    ],
    [
      'a data: logo URL',
      { token: { brandLogoUrl: 'data:text/html;base64,PHNjcmlwdD4=' } },
      'token.brandLogoUrl must be an http(s) URL',
    ],
    [
      'a script in the spinner SVG',
      { token: { brandSpinnerSvg: '<svg><script>alert(1)</script></svg>' } },
      'token.brandSpinnerSvg contains scripting',
    ],
    [
      'an event handler in the spinner SVG',
      { token: { brandSpinnerSvg: '<svg onload="x()"></svg>' } },
      'token.brandSpinnerSvg contains scripting',
    ],
    [
      'a CSS declaration break-out',
      { token: { colorPrimary: 'red; background: blue' } },
      'token.colorPrimary contains characters or CSS',
    ],
    [
      'a CSS url() load',
      { token: { colorBgBase: 'url(https://evil.example/x.png)' } },
      'token.colorBgBase contains characters or CSS',
    ],
    [
      'a rule-block break-out in a component token',
      { components: { Button: { colorText: '}body{display:none' } } },
      'components.Button.colorText contains',
    ],
    [
      'a style-tag break-out',
      { token: { fontFamily: '</style><script>alert(1)</script>' } },
      'token.fontFamily contains',
    ],
    ['an injected key', { token: { 'colorPrimary}body{x': '#fff' } }, 'is not a plain name'],
  ]
  it.each(refused)('refuses %s, in-band, and writes nothing', async (_what, jsonData, message) => {
    const before = await themeCount()
    const result = await create(jsonData, 'Refused theme')
    expect(result).toMatchObject({ success: false, id: null, uuid: null, error_type: 'ValidationError' })
    expect(result.error).toContain(message)
    expect(await themeCount()).toBe(before)
  })

  it('refuses a blank name, and a caller without can_write on Theme cannot call it', async () => {
    await expect(create({}, '   ')).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('Theme name cannot be empty.'),
    })
    await expect(create({}, 'Gamma theme', 'bob')).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: create_theme'),
    })
  })
})
