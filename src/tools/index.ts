/**
 * The tool catalogue: Superset 6.1's MCP tools, one line per tool.
 */
import type { Principal } from '../superset'
import { isVisibleTo, type AnyToolDefinition, type PromptDefinition, type ResourceDefinition } from './core'
import {
  generateChart,
  generateExploreLink,
  getChartData,
  getChartInfo,
  getChartPreview,
  getChartTypeSchema,
  listCharts,
  updateChart,
  updateChartPreview,
} from './charts'
import {
  addChartToExistingDashboard,
  generateDashboard,
  getDashboardInfo,
  listDashboards,
} from './dashboards'
import { getDatabaseInfo, listDatabases } from './databases'
import { createVirtualDataset, getDatasetInfo, listDatasets } from './datasets'
import { openSqlLabWithContext, saveSqlQuery } from './saved-queries'
import { executeSql } from './sql'
import {
  allSchemas,
  chartConfigs,
  chartSchema,
  createChartGuided,
  dashboardSchema,
  datasetSchema,
  getInstanceInfo,
  getSchema,
  healthCheck,
  instanceMetadata,
  quickstart,
} from './system'

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

export {
  authoredPathsOf,
  confirmationPrompt,
  parseToolRequest,
  runTool,
  toolListing,
  unwrapRequest,
} from './core'
export type { JsonSchema, ToolListing } from './core'
export { noEffects } from './core'
export type {
  AnyToolDefinition,
  CachePolicy,
  CallEffects,
  ConfirmPrompt,
  ToolAnnotations,
  ToolContext,
  InBandRun,
} from './core'

/** MCP resources and prompts. */
export const RESOURCES: readonly ResourceDefinition[] = [
  instanceMetadata,
  chartConfigs,
  chartSchema,
  datasetSchema,
  dashboardSchema,
  allSchemas,
]
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

export type { PromptArgument, PromptDefinition, ResourceDefinition } from './core'
