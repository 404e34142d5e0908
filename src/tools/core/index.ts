/**
 * What every tool domain shares: the tool definition and its context, list and get tools over a Superset
 * model (src/superset has the models), identifiers, ownership, SQL planning and answer sizes. The domains enter
 * here only (docs/ARCHITECTURE.md).
 */
export { authored, authoredColumnPaths, authoredPathsOf, authoredSchemaPaths } from './authored'
export { CacheControlFields, CacheStatusField } from './cache-flags'
export {
  ContentAnswerSchema,
  ContentBlockSchema,
  InputRequiredAnswerSchema,
  ResourceContentsSchema,
  UNREACHABLE_CLIENT,
} from './content'
export type {
  ClientChannel,
  ClientLogLevel,
  ContentAnswer,
  ContentBlock,
  InputAnswer,
  InputForm,
  InputRequest,
  InputRequiredAnswer,
  InputResponse,
  InputRound,
  PromptMessage,
  ResourceContents,
  SampleRequest,
} from './content'
export { advertiseAs, advertisedSchemaOf } from './compact-schema'
export { completeFrom, namesOf, visibleNames } from './completion'
export type { NamedModel } from './completion'
export { databaseNotFound, visibleAnalyticsDatabase, visibleDatabase } from './databases'
export { COMPLETION_LIMIT, READ_ONLY, WRITES, defineTool, isVisibleTo, noEffects } from './definition'
export type {
  AnyToolDefinition,
  CachePolicy,
  CallEffects,
  Completer,
  ConfirmPrompt,
  PermissionPair,
  PromptArgument,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolAnnotations,
  ToolContext,
} from './definition'
export { defineGetTool } from './get-tool'
export { IdentifierSchema } from './identifier'
export { inBandMessage, isDomainFailure } from './in-band'
export {
  confirmationPrompt,
  parseToolRequest,
  runTool,
  unwrapRequest,
  type InBandRun,
  type ToolRun,
} from './invoke'
export { inputSchemaOf, outputSchemaOf, toolListing } from './listing'
export type { JsonSchema, ToolListing } from './listing'
export { SelectColumnsSchema, parseColumnList } from './list'
export { clampedInt, jsonListField, jsonObjectField, looseRequestObject, requestObject } from './request'
export { defineListTool } from './list-tool'
export type { ListScope } from './list-tool'
export { assertCanEdit } from './ownership'
export { byteLength, describeColumns, toCsv, trimToBytes } from './results'
export type { DataColumn } from './results'
export { planSql } from './sql-plan'
export { matchUriTemplate } from './uri-template'
export type { PlannedStatement, SqlPlan } from './sql-plan'
export { closeMatches } from '../../suggest'
