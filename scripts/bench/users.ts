/**
 * The benchmark's callers: every active demo user with a real bearer token from the local issuer, and
 * what each of them may do, found by asking the gateway itself (so every measured call is one that
 * succeeds for that user, under Superset's rules, and no chart id is hard-coded).
 */
import { withClient } from '../lib/database.ts'

export interface BenchUser {
  username: string
  token: string
  /** Charts get_chart_info answers for this user. */
  infoCharts: number[]
  /** Charts get_chart_data answers for this user. */
  dataCharts: number[]
  /** A dataset generate_chart (url preview) accepts from this user, if any. */
  chartDataset: number | undefined
  /** The user may call list_charts. */
  canListCharts: boolean
}

export async function activeUsernames(metadataUrl: string): Promise<string[]> {
  return withClient(metadataUrl, async (client) => {
    const { rows } = await client.query<{ username: string }>(
      'SELECT username FROM ab_user WHERE active ORDER BY id',
    )
    return rows.map((row) => row.username)
  })
}

export interface ToolAnswer {
  status: number
  body: Record<string, unknown>
}

/** A response body as JSON, or `{ raw }` when it is not JSON (an error page, a truncated answer). */
export function jsonOrRaw(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return { raw: text }
  }
}

export async function callTool(
  baseUrl: string,
  token: string | undefined,
  tool: string,
  request: unknown,
): Promise<ToolAnswer> {
  const response = await fetch(`${baseUrl}/tools/${tool}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ request }),
    signal: AbortSignal.timeout(30_000),
  })
  const body = jsonOrRaw(await response.text())
  return { status: response.status, body }
}

/** Runs `work` over `items` with at most `width` at a time. */
export async function inParallel<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!)
    }
  })
  await Promise.all(lanes)
  return results
}

/** A chart config every demo dataset accepts: its saved `count` metric over its main time column. */
export const GENERATE_CONFIG = { chart_type: 'xy', y: [{ name: 'count', saved_metric: true }], kind: 'line' }

export function generateChartRequest(dataset: number): Record<string, unknown> {
  return { dataset_id: dataset, config: GENERATE_CONFIG, save_chart: false, preview_formats: ['url'] }
}

export async function probeUser(baseUrl: string, username: string, token: string): Promise<BenchUser> {
  const user: BenchUser = {
    username,
    token,
    infoCharts: [],
    dataCharts: [],
    chartDataset: undefined,
    canListCharts: false,
  }
  const charts = await callTool(baseUrl, token, 'list_charts', { page_size: 100, select_columns: ['id'] })
  if (charts.status === 200) {
    user.canListCharts = true
    const ids = ((charts.body.charts as { id: number }[] | undefined) ?? []).map((chart) => chart.id)
    await inParallel(ids, 4, async (id) => {
      if ((await callTool(baseUrl, token, 'get_chart_info', { identifier: id })).status === 200)
        user.infoCharts.push(id)
      const data = await callTool(baseUrl, token, 'get_chart_data', { identifier: id, limit: 100 })
      if (data.status === 200) user.dataCharts.push(id)
    })
    user.infoCharts.sort((a, b) => a - b)
    user.dataCharts.sort((a, b) => a - b)
  }
  const datasets = await callTool(baseUrl, token, 'list_datasets', { page_size: 100, select_columns: ['id'] })
  if (datasets.status === 200) {
    for (const { id } of (datasets.body.datasets as { id: number }[] | undefined) ?? []) {
      if ((await callTool(baseUrl, token, 'generate_chart', generateChartRequest(id))).status === 200) {
        user.chartDataset = id
        break
      }
    }
  }
  return user
}

/** Who and what the scenarios call, found at set-up. */
export interface Callers {
  users: BenchUser[]
  /** The demo administrator, for the single-user runs. */
  admin: BenchUser
  /** How the uncached scenarios avoid any cache: `force_refresh` if the tools take it, else unique arguments. */
  uncachedBy: 'force_refresh' | 'unique arguments'
  /** get_chart_info's default answer fields, for varying select_columns when force_refresh is absent. */
  chartInfoFields: string[]
}

/** Every (user, chart) pair of a kind. */
export function pairs(users: readonly BenchUser[], charts: (user: BenchUser) => number[]) {
  return users.flatMap((user) => charts(user).map((chart) => ({ user, chart })))
}

/** What every demo user with a token may call (asked of the gateway itself). */
export async function setUpCallers(baseUrl: string, tokens: Record<string, string>): Promise<Callers> {
  const users: BenchUser[] = []
  for (const [username, token] of Object.entries(tokens))
    users.push(await probeUser(baseUrl, username, token))
  const admin = users.find((user) => user.username === 'admin')
  if (admin === undefined) throw new Error('the demo content has no admin user')
  const probe = await callTool(baseUrl, admin.token, 'list_charts', { page_size: 1, force_refresh: true })
  const infoProbe = await callTool(baseUrl, admin.token, 'get_chart_info', {
    identifier: admin.infoCharts[0],
    force_refresh: true,
  })
  const info = await callTool(baseUrl, admin.token, 'get_chart_info', { identifier: admin.infoCharts[0] })
  const chartInfoFields = Object.keys(info.body).filter(
    (field) => !['filters', 'form_data_key', 'is_unsaved_state', 'id'].includes(field),
  )
  return {
    users,
    admin,
    uncachedBy: probe.status === 200 && infoProbe.status === 200 ? 'force_refresh' : 'unique arguments',
    chartInfoFields,
  }
}
