/**
 * Who is shown the development branch's tools, as Superset decides it: a tool exists for a user exactly when
 * one of the user's roles (directly or through a group) holds the permission docs/TOOLS.md names for it.
 * The expected sets come from Superset's own tables, read here with SQL of this test's own, and from the
 * documentation, not from the gateway's principal code; the object-level rules of each tool are tested
 * in its own file (test/worker/dev-*.test.ts).
 */
import { describe, expect, it } from 'vitest'
import toolsDoc from '../../docs/TOOLS.md?raw'
import { sql } from '../../src/db'
import { TOOLS } from '../../src/tools'
import { TOOL_NAMES } from '../../src/tool-names'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'

/** The demo users (scripts/seed/README.md, "Users and what they see"); frank is inactive. */
const DEMO_USERS = [
  'admin',
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'kim',
  'lena',
  'mallory',
]

/** Superset 6.1's 24 tools come first in the catalogue; the development branch's follow. */
const DEVELOPMENT_TOOLS = TOOL_NAMES.slice(24)

type Documented = { permission: string; view: string } | null

/**
 * The permission column of each tool's row in docs/TOOLS.md: "`can_read` on `Dashboard`",
 * "can_read on User (Admin only)", "`can_write` on `Chart`, plus ownership", or "none (any signed-in user)".
 */
function documentedPermissions(markdown: string): Map<string, Documented> {
  const documented = new Map<string, Documented>()
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    const tool = /^`([a-z_]+)`$/.exec(cells[1] ?? '')?.[1]
    const column = cells[3]
    if (tool === undefined || column === undefined) continue
    if (/^none\b/i.test(column)) {
      documented.set(tool, null)
      continue
    }
    const pair = /^`?([a-z_]+)`? on (?:`([^`]+)`|([A-Za-z][A-Za-z ]*?))(?:\s*[(,].*)?$/.exec(column)
    if (pair !== null) documented.set(tool, { permission: pair[1]!, view: (pair[2] ?? pair[3])! })
  }
  return documented
}

const DOCUMENTED = documentedPermissions(toolsDoc)

/** The permission pairs `username` holds in Superset's tables: `permission|view`. */
async function pairsOf(username: string): Promise<Set<string>> {
  const rows = await withMetadataDb((db) =>
    db.query<{ pair: string }>(sql`
      WITH user_roles AS (
        SELECT ur.role_id FROM ab_user_role ur JOIN ab_user u ON u.id = ur.user_id WHERE u.username = ${username}
        UNION
        SELECT gr.role_id FROM ab_user_group ug
          JOIN ab_group_role gr ON gr.group_id = ug.group_id
          JOIN ab_user u ON u.id = ug.user_id
         WHERE u.username = ${username}
      )
      SELECT DISTINCT p.name || '|' || v.name AS pair
        FROM user_roles r
        JOIN ab_permission_view_role pvr ON pvr.role_id = r.role_id
        JOIN ab_permission_view pv ON pv.id = pvr.permission_view_id
        JOIN ab_permission p ON p.id = pv.permission_id
        JOIN ab_view_menu v ON v.id = pv.view_menu_id`),
  )
  return new Set(rows.map((row) => row.pair))
}

describe("docs/TOOLS.md names each development tool's Superset permission", () => {
  it.each(DEVELOPMENT_TOOLS)('%s', (name) => {
    const tool = TOOLS.find((candidate) => candidate.name === name)
    expect(tool, `${name} is in TOOL_NAMES but not in TOOLS`).toBeDefined()
    expect(DOCUMENTED.has(name), `docs/TOOLS.md has no row for ${name}`).toBe(true)
    expect(tool!.permission).toEqual(DOCUMENTED.get(name))
  })
})

describe.each(DEMO_USERS)('%s', (username) => {
  it('is listed exactly the development tools its roles grant', async () => {
    const pairs = await pairsOf(username)
    const expected = DEVELOPMENT_TOOLS.filter((name) => {
      const permission = DOCUMENTED.get(name)
      return permission === null || pairs.has(`${permission!.permission}|${permission!.view}`)
    })
    const listed = (await toolNamesAs(username)).filter((name) => DEVELOPMENT_TOOLS.includes(name))
    expect(listed.sort()).toEqual(expected.sort())
  })

  it('finds every development tool it is not listed unknown when it calls it', async () => {
    const listed = new Set(await toolNamesAs(username))
    const hidden = DEVELOPMENT_TOOLS.filter((name) => !listed.has(name))
    for (const name of hidden) {
      await expect(callAs(username, name, {})).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining(`Unknown tool: ${name}`),
      })
    }
  })
})
