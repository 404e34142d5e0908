/**
 * The tool catalogue: Superset 6.1's MCP tools, one line per tool.
 */
import type { Principal, SchemaProfile } from '../superset'
import {
  isVisibleTo,
  matchUriTemplate,
  type AnyToolDefinition,
  type PermissionPair,
  type PromptDefinition,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
} from './core'
import {
  CONFORMANCE_PROMPTS,
  CONFORMANCE_RESOURCE_TEMPLATES,
  CONFORMANCE_RESOURCES,
  CONFORMANCE_TOOLS,
} from './conformance'
import {
  deleteChart,
  generateChart,
  generateExploreLink,
  getChartData,
  getChartInfo,
  getChartPreview,
  getChartSql,
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
import {
  findUsers,
  getActionLogInfo,
  getRlsFilterInfo,
  getRoleInfo,
  getUserInfo,
  listActionLogs,
  listRlsFilters,
  listRoles,
  listUsers,
} from './admin'
import {
  deleteDashboard,
  getDashboardDatasets,
  getDashboardLayout,
  removeChartFromDashboard,
} from './dashboard-structure'
import { duplicateDashboard, manageNativeFilters, updateDashboard } from './dashboard-editing'
import { getDatabaseInfo, listDatabases } from './databases'
import {
  createDataset,
  createVirtualDataset,
  getDatasetInfo,
  listDatasets,
  queryDataset,
  updateDatasetMetric,
} from './datasets'
import { openSqlLabWithContext, saveSqlQuery } from './saved-queries'
import { getReportInfo, listReports } from './reports'
import { executeSql } from './sql'
import { createTheme, getThemeInfo, listThemes } from './themes'
import {
  getAnnotationLayerInfo,
  getLayerAnnotationInfo,
  listAnnotationLayers,
  listLayerAnnotations,
} from './annotations'
import { getTagInfo, listTags } from './tags'
import { getCompatibleDimensions, getCompatibleMetrics, getTable, listMetrics } from './semantic-layer'
import { getQueryInfo, getSavedQueryInfo, listQueries, listSavedQueries } from './sql-lab-history'
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
  // Superset's development branch, by group (docs/TOOLS.md names the source commit of each).
  // Development: dashboards
  getDashboardLayout,
  getDashboardDatasets,
  removeChartFromDashboard,
  deleteDashboard,
  updateDashboard,
  duplicateDashboard,
  manageNativeFilters,
  // Development: charts and datasets
  getChartSql,
  queryDataset,
  deleteChart,
  createDataset,
  updateDatasetMetric,
  // Development: SQL Lab history
  listQueries,
  getQueryInfo,
  listSavedQueries,
  getSavedQueryInfo,
  // Development: tags, reports, annotation layers, themes
  listThemes,
  getThemeInfo,
  createTheme,
  listAnnotationLayers,
  getAnnotationLayerInfo,
  listLayerAnnotations,
  getLayerAnnotationInfo,
  listTags,
  getTagInfo,
  listReports,
  getReportInfo,
  // Development: users, roles, RLS filters, action logs
  listUsers,
  getUserInfo,
  findUsers,
  listRoles,
  getRoleInfo,
  listRlsFilters,
  getRlsFilterInfo,
  listActionLogs,
  getActionLogInfo,
  // Development: semantic layer
  listMetrics,
  getCompatibleMetrics,
  getCompatibleDimensions,
  getTable,
]

/**
 * What joins the catalogue beside Superset's tools: the conformance suite's fixtures, with the
 * configuration's test flag (MCP_CONFORMANCE_FIXTURES, refused in production). `Config` is one.
 */
export interface CatalogueOptions {
  conformanceFixtures: boolean
}

const WITH_FIXTURES: readonly AnyToolDefinition[] = [...TOOLS, ...CONFORMANCE_TOOLS]
const BY_NAME = new Map(TOOLS.map((tool) => [tool.name, tool]))
const BY_NAME_WITH_FIXTURES = new Map(WITH_FIXTURES.map((tool) => [tool.name, tool]))

/** Tools the caller may call (Superset's tool-level RBAC); the others do not exist for them. */
export function toolsVisibleTo(
  principal: Principal,
  options: CatalogueOptions,
  schema: Pick<SchemaProfile, 'tables'>,
): AnyToolDefinition[] {
  return (options.conformanceFixtures ? WITH_FIXTURES : TOOLS).filter((tool) =>
    isVisibleTo(tool, principal, schema),
  )
}

/** A tool by name, only if it exists and the caller may call it. */
export function findVisibleTool(
  name: string,
  principal: Principal,
  options: CatalogueOptions,
  schema: Pick<SchemaProfile, 'tables'>,
): AnyToolDefinition | undefined {
  const tool = (options.conformanceFixtures ? BY_NAME_WITH_FIXTURES : BY_NAME).get(name)
  return tool !== undefined && isVisibleTo(tool, principal, schema) ? tool : undefined
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
export { COMPLETION_LIMIT, completeFrom, noEffects, UNREACHABLE_CLIENT } from './core'
export type {
  AnyToolDefinition,
  CachePolicy,
  CallEffects,
  Completer,
  ConfirmPrompt,
  InBandRun,
  ClientChannel,
  ClientLogLevel,
  ContentBlock,
  InputAnswer,
  InputForm,
  InputRequest,
  InputResponse,
  PromptMessage,
  SampleRequest,
  ToolAnnotations,
  ToolContext,
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

const permitted = (principal: Principal) => (item: { permission: PermissionPair | null }) =>
  item.permission === null || principal.can(item.permission.permission, item.permission.view)

export function resourcesVisibleTo(principal: Principal, options: CatalogueOptions): ResourceDefinition[] {
  return (options.conformanceFixtures ? [...RESOURCES, ...CONFORMANCE_RESOURCES] : RESOURCES).filter(
    permitted(principal),
  )
}

/** URI templates (none in Superset's catalogue; the conformance fixtures have one). */
export function resourceTemplatesVisibleTo(
  principal: Principal,
  options: CatalogueOptions,
): ResourceTemplateDefinition[] {
  return (options.conformanceFixtures ? CONFORMANCE_RESOURCE_TEMPLATES : []).filter(permitted(principal))
}

/**
 * The resource at a URI: a listed one, or one of a template's family (read with the URI's variables).
 * Undefined when there is none the caller may read.
 */
export function findResource(
  uri: string,
  principal: Principal,
  options: CatalogueOptions,
): ResourceDefinition | undefined {
  const listed = resourcesVisibleTo(principal, options).find((resource) => resource.uri === uri)
  if (listed !== undefined) return listed
  for (const template of resourceTemplatesVisibleTo(principal, options)) {
    const variables = matchUriTemplate(template.uriTemplate, uri)
    if (variables === undefined) continue
    const { uriTemplate: _, read, ...described } = template
    return { ...described, uri, read: (context) => read(variables, context) }
  }
  return undefined
}

export function promptsFor(options: CatalogueOptions): readonly PromptDefinition[] {
  return options.conformanceFixtures ? [...PROMPTS, ...CONFORMANCE_PROMPTS] : PROMPTS
}

export function findPrompt(name: string, options: CatalogueOptions): PromptDefinition | undefined {
  return promptsFor(options).find((prompt) => prompt.name === name)
}

export type { PromptArgument, PromptDefinition, ResourceDefinition, ResourceTemplateDefinition } from './core'
