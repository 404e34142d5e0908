/**
 * The tool catalogue: Superset 6.1's MCP tools, one line per tool.
 */
import type { Principal } from '../superset'
import type { AnyToolDefinition, PromptDefinition, ResourceDefinition } from './core/definition'
import { isVisibleTo } from './core/definition'
import { generateChart, generateExploreLink, updateChart, updateChartPreview } from './charts/authoring'
import { getChartInfo, listCharts } from './charts/tools'
import { getChartData } from './chart-data/data'
import { getChartPreview } from './chart-data/preview'
import { getChartTypeSchema } from './chart-data/type-schema'
import { getDashboardInfo, listDashboards } from './dashboards/tools'
import { addChartToExistingDashboard, generateDashboard } from './dashboards/write'
import { getDatabaseInfo, listDatabases } from './databases/tools'
import { createVirtualDataset } from './datasets/create'
import { getDatasetInfo, listDatasets } from './datasets/tools'
import { executeSql } from './sql/execute-sql'
import { openSqlLabWithContext, saveSqlQuery } from './saved-queries/tools'
import { createChartGuided, quickstart } from './system/prompts'
import { chartConfigs, instanceMetadata } from './system/resources'
import { getSchema } from './system/schema-tool'
import { getInstanceInfo, healthCheck } from './system/tools'

export const TOOLS: readonly AnyToolDefinition[] = [
  healthCheck,
  getInstanceInfo,
  getSchema,
  listDashboards,
  getDashboardInfo,
  generateDashboard,
  addChartToExistingDashboard,
  listCharts,
  getChartInfo,
  generateChart,
  updateChart,
  updateChartPreview,
  generateExploreLink,
  listDatasets,
  getDatasetInfo,
  createVirtualDataset,
  listDatabases,
  getDatabaseInfo,
  getChartData,
  getChartPreview,
  getChartTypeSchema,
  executeSql,
  saveSqlQuery,
  openSqlLabWithContext,
]

const BY_NAME = new Map(TOOLS.map((tool) => [tool.name, tool]))

/** Tools the caller may call (Superset's tool-level RBAC); the others do not exist for them. */
export function toolsVisibleTo(principal: Principal): AnyToolDefinition[] {
  return TOOLS.filter((tool) => isVisibleTo(tool, principal))
}

/** A tool by name, only if it exists and the caller may call it. */
export function findVisibleTool(name: string, principal: Principal): AnyToolDefinition | undefined {
  const tool = BY_NAME.get(name)
  return tool !== undefined && isVisibleTo(tool, principal) ? tool : undefined
}

export function toolExists(name: string): boolean {
  return BY_NAME.has(name)
}

export { invokeTool, parseToolRequest, runTool, unwrapRequest } from './core/invoke'
export { noEffects } from './core/definition'
export type {
  AnyToolDefinition,
  CachePolicy,
  CallEffects,
  ToolAnnotations,
  ToolContext,
} from './core/definition'

/** MCP resources and prompts. */
export const RESOURCES: readonly ResourceDefinition[] = [instanceMetadata, chartConfigs]
export const PROMPTS: readonly PromptDefinition[] = [quickstart, createChartGuided]

export function resourcesVisibleTo(principal: Principal): ResourceDefinition[] {
  return RESOURCES.filter(
    (resource) =>
      resource.permission === null || principal.can(resource.permission.permission, resource.permission.view),
  )
}

export function findPrompt(name: string): PromptDefinition | undefined {
  return PROMPTS.find((prompt) => prompt.name === name)
}

export type { PromptArgument, PromptDefinition, ResourceDefinition } from './core/definition'
