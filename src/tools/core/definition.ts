/**
 * What a tool is, independent of MCP and HTTP: a name, a request schema, a response schema, the
 * Superset permission it needs, and a function from (request, context) to a response. The MCP layer and
 * the plain-HTTP route both run tools through the dispatcher (`parseToolRequest`, then `runTool`).
 */
import type * as z from 'zod'
import type { Config } from '../../config'
import type { Db } from '../../db'
import type { GatewayError } from '../../errors'
import type { Logger } from '../../observability'
import type { OptionalTable, Principal, SchemaProfile, SupersetLinks } from '../../superset'
import type { ClientChannel, InputRequiredAnswer, PromptMessage } from './content'

/** A Superset permission pair, e.g. can_read on Dashboard. */
export interface PermissionPair {
  permission: string
  view: string
}

export interface ToolAnnotations {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

/** What a call did, for the audit trail and cache invalidation. Tools fill it in as they work. */
export interface CallEffects {
  /** Data rows returned (chart data, SQL); list tools report their item count. */
  rowsReturned?: number
  /** Objects created or changed. */
  objectsAffected: number
  /** Ids of objects created, by kind: { chart: [33] }. */
  created: Record<string, number[]>
  /** Kinds of catalog objects changed, so cached lists of them can be refreshed. */
  changed: Set<'chart' | 'dashboard' | 'dataset' | 'database' | 'saved_query' | 'theme'>
}

export function noEffects(): CallEffects {
  return { objectsAffected: 0, created: {}, changed: new Set() }
}

/** Everything a tool may use. Tools never see Hono, the MCP SDK or the raw environment. */
/** How a tool's answer may be cached. */
export interface CachePolicy {
  /** Whose answers may be shared: everyone with the same permissions, or only the same user. */
  scope: 'permissions' | 'user'
  /** Kinds of objects the answer depends on: a write to any of them invalidates it. */
  dependsOn: readonly string[]
  /** Overrides the configured default TTL. */
  ttlSeconds?: number
}

export interface ToolContext {
  principal: Principal
  /** The Superset metadata database, for this request. */
  db: Db
  schema: SchemaProfile
  config: Config
  links: SupersetLinks
  log: Logger
  /** The request's clock: one instant for the whole call. */
  now: Date
  /** When this isolate began serving (its first request: workerd's clock reads 0 at module load). */
  servingSince: Date
  effects: CallEffects
  /** The caller's client during this call: progress, log messages, questions (core/content.ts). */
  client: ClientChannel
}

/**
 * What the user is asked before a destructive call runs: one sentence, written by the gateway, saying
 * what will change (ids, counts, statement kinds). User-written names appear only quoted with
 * quoteAuthored (src/markers.ts), so they reach an agent marked as untrusted content.
 */
export interface ConfirmPrompt {
  message: string
}

export interface ToolDefinition<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> {
  name: string
  title: string
  description: string
  /** The `request` object (Superset wraps every tool's arguments in `{"request": {...}}`). */
  input: Input
  output: Output
  annotations: ToolAnnotations
  /** Superset's tool-level permission; null = any authenticated user (health_check). */
  permission: PermissionPair | null
  /** false for tools whose answers are small by construction (links, health): never cut. */
  sizeGuard?: boolean
  /** How answers may be cached (catalog reads only; never writes, chart data or SQL). */
  cache?: CachePolicy
  /**
   * Superset tables the tool reads that older metadata databases may lack: where one is missing the tool
   * does not exist (not listed, unknown when called), as Superset hides what its version lacks.
   */
  requiresTables?: readonly OptionalTable[]
  /**
   * Paths of answer fields holding user-written text beyond those the output schema wraps in `authored(…)`
   * (core/authored.ts): the MCP layer marks exactly these as untrusted content.
   */
  authored?: readonly string[]
  run(request: z.output<Input>, context: ToolContext): Promise<z.input<Output>>
  /**
   * For tools whose calls can change or destroy something: what the user must confirm before this call
   * runs, or undefined when this call changes nothing (execute_sql with only queries, or dry_run). Declared
   * by the tool, never guessed from its annotations (update_chart_preview is marked destructive but
   * writes nothing). Runs before anything of the call has run; a failure here is the call's failure
   * (answered in-band where `inBandFailure` says so). src/confirm decides whether to ask; the names of
   * tools that declare it are CONFIRMABLE_TOOL_NAMES (src/tool-names.ts).
   */
  confirm?(
    request: z.output<Input>,
    context: ToolContext,
  ): ConfirmPrompt | undefined | Promise<ConfirmPrompt | undefined>
  /**
   * The answer is content blocks (`output` is core/content.ts ContentAnswerSchema): sent as the call's
   * content, not as JSON text, and no output schema is advertised.
   */
  answersWithContent?: boolean
  /**
   * For tools whose Superset 6.1 response model reports failure in-band (execute_sql's `success: false`,
   * generate_explore_link's `url: ""`): given a failure of `run`, the answer in that model, or undefined
   * for a failure that stays an error. Request validation, limits and authentication never reach it, nor
   * a failure after the call wrote something (the model would say nothing was created). The context is
   * the call's (e.g. for the time it took). The dispatcher applies it and still records the call as
   * failed (design §5).
   */
  inBandFailure?(
    failure: GatewayError,
    request: z.output<Input>,
    context: ToolContext,
  ): z.input<Output> | undefined
}

export type AnyToolDefinition = ToolDefinition<z.ZodType, z.ZodType>

/** Keeps the input and output types of one tool tied together. */
export function defineTool<Input extends z.ZodType, Output extends z.ZodType>(
  definition: ToolDefinition<Input, Output>,
): AnyToolDefinition {
  return definition as unknown as AnyToolDefinition
}

export const READ_ONLY: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
}

/** Whether the caller may call the tool (Superset's tool-level RBAC) and this database can answer it. */
export function isVisibleTo(
  tool: AnyToolDefinition,
  principal: Principal,
  schema: Pick<SchemaProfile, 'tables'>,
): boolean {
  if (tool.requiresTables?.some((table) => !schema.tables.includes(table)) === true) return false
  return tool.permission === null || principal.can(tool.permission.permission, tool.permission.view)
}

/** An MCP resource: a document the agent can read (instance://metadata, chart://configs). */
export interface ResourceDefinition {
  uri: string
  name: string
  title: string
  description: string
  mimeType: string
  permission: PermissionPair | null
  /** For a JSON document: paths of its user-written fields, marked as a tool's are (core/authored.ts). */
  authored?: readonly string[]
  /** `base64`: what `read` gives is the document's bytes in base64 (an image), sent as a blob. */
  encoding?: 'base64'
  read(context: ToolContext): Promise<string>
}

/**
 * A family of resources named by a URI template (RFC 6570 level 1, `test://template/{id}/data`): `read`
 * gets the template's variables from the URI that was asked for.
 */
export interface ResourceTemplateDefinition {
  uriTemplate: string
  name: string
  title: string
  description: string
  mimeType: string
  permission: PermissionPair | null
  read(variables: Record<string, string>, context: ToolContext): Promise<string>
  /** Suggestions per variable while a URI of the template is typed (MCP completion). */
  complete?: Readonly<Record<string, Completer>>
}

export interface PromptArgument {
  name: string
  description: string
  required: boolean
  /** Accepted values; anything else is a ValidationError. They are also what completion offers. */
  values?: readonly string[]
  /** Suggestions for a value being typed (MCP completion), for an argument without `values`. */
  complete?: Completer
}

/**
 * Suggestions for the value of a prompt argument or a URI template variable while it is typed: at most
 * COMPLETION_LIMIT values, best first, only ones the caller could use (names it may see). `others`: the
 * values already given to the other arguments or variables.
 */
export type Completer = (
  value: string,
  context: ToolContext,
  others: Readonly<Record<string, string>>,
) => Promise<readonly string[]>

/** The most values one completion answers (MCP's own cap on `completion.values`). */
export const COMPLETION_LIMIT = 100

/** An MCP prompt: a ready-made workflow the user can start (quickstart, create_chart_guided). */
export interface PromptDefinition {
  name: string
  title: string
  description: string
  arguments: readonly PromptArgument[]
  /**
   * One user message of text, or the messages themselves (images, embedded resources), or the input it
   * needs first (2026-07-28 input-required results, as a tool asks: core/content.ts).
   */
  render(
    args: Record<string, string>,
    context: ToolContext,
  ): Promise<string | readonly PromptMessage[] | InputRequiredAnswer>
}

/** Tools that create or change Superset objects (never delete). */
export const WRITES: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
}
