/**
 * The one path every tool call takes, whether it came over MCP or plain HTTP: find the tool (hidden
 * tools do not exist for the caller), admit it against the caller's limits, run it, and log the outcome.
 */
import { asGatewayError, describeError, GatewayError } from '../errors'
import { digestArguments, redactArguments, type AuditConfirmation } from '../audit'
import {
  asksToConfirm,
  cannotConfirmError,
  confirmationKey,
  declinedMessage,
  issueConfirmationState,
  issueRoundState,
  openRoundState,
  stateUsedError,
  verifyConfirmationState,
  type ConfirmationBinding,
} from '../confirm'
import type { Principal } from '../superset'
import {
  authoredPathsOf,
  COMPLETION_LIMIT,
  completeFrom,
  confirmationPrompt,
  findPrompt,
  findResource,
  findVisibleTool,
  parseToolRequest,
  promptsFor,
  runTool,
  resourcesVisibleTo,
  resourceTemplatesVisibleTo,
  toolListing,
  toolsVisibleTo,
  type AnyToolDefinition,
  type CallEffects,
  type ClientChannel,
  type Completer,
  type ContentBlock,
  type InBandRun,
  type InputRequest,
  type PromptDefinition,
  type PromptMessage,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
  type ToolListing,
} from '../tools'
import {
  CALL_TOOL_NAME,
  callTarget,
  isSearchTool,
  searchQuery,
  searchTools,
  searchView,
} from '../tool-search'
import type { CacheLookup } from '../cache'
import type { CacheStatus } from '../observability'
import type { Admission, CallSubject } from '../limits'
import { principalKeptForMs } from './principal-cache'
import type { RequestScope } from './scope'

export interface Dispatcher {
  /** What `tools/list` shows: the caller's tools, or with tool search on, the search view (src/tool-search). */
  listTools(): Promise<ToolListing[]>
  /**
   * How much longer, in ms, the gateway answers this caller's lists (tools, resources) as it just did:
   * they follow from the caller's roles and permissions, which it keeps for MCP_PRINCIPAL_CACHE_SECONDS
   * from when it loaded them, and no longer than its view of changes made in Superset is used (a change
   * of roles reloads them); a deploy or configuration change can end it earlier.
   */
  listsKeptForMs(): Promise<number>
  /**
   * Counts a `tools/call` against the caller's limits from what its `Mcp-Name` header names, before the
   * body is read (2026-07-28): a refused call is answered without parsing it, and recorded. The call that
   * follows with the same name is not counted again. Names the caller has no tool for, and `call_tool`
   * (whose target is in the body), are left to the call itself.
   */
  admitAhead(name: string): Promise<void>
  /**
   * Runs a tool call. Without `canConfirm` the client cannot be asked to confirm: a call that needs
   * confirmation follows MCP_CONFIRM_FALLBACK, so the answer is always the tool's.
   */
  callTool(name: string, args: unknown, options?: ChannelOnly): Promise<ToolAnswer>
  callTool(name: string, args: unknown, options: CallOptions): Promise<ToolOutcome>
  listResources(): Promise<ResourceDefinition[]>
  listResourceTemplates(): Promise<ResourceTemplateDefinition[]>
  /** `text` is the document, or its bytes in base64 when `resource.encoding` says so. */
  readResource(uri: string): Promise<{ resource: ResourceDefinition; text: string }>
  listPrompts(): Promise<readonly PromptDefinition[]>
  /** `messages` as the prompt renders them; `text` their text parts, for a client shown one message. */
  getPrompt(
    name: string,
    args: Record<string, string>,
    options?: Pick<CallOptions, 'client' | 'roundState'>,
  ): Promise<
    | { prompt: PromptDefinition; text: string; messages: readonly PromptMessage[] }
    | { prompt: PromptDefinition; inputRequired: NonNullable<ToolAnswer['inputRequired']> }
  >
  /**
   * Suggestions for a prompt argument or a URI template variable being typed (MCP completion): at most
   * COMPLETION_LIMIT, and whether there were more. `others`: the values of the other arguments so far.
   */
  complete(
    ref: CompletionRef,
    argument: { name: string; value: string },
    others: Readonly<Record<string, string>>,
  ): Promise<{ values: string[]; hasMore: boolean }>
}

/** What is being completed: a prompt's argument, or a variable of a resource template. */
export type CompletionRef =
  { kind: 'prompt'; name: string } | { kind: 'resourceTemplate'; uriTemplate: string }

/** How the transport can take part in confirming a destructive call (src/confirm, docs/SECURITY.md). */
export interface CallOptions {
  /**
   * The user's answer to an earlier `confirmation_required` outcome for this same call: the `state` it
   * carried, handed back unchanged, and whether the user accepted.
   */
  confirmation?: { state: string; accepted: boolean }
  /**
   * The client can answer an input request (on MCP, a 2026-07-28 request declaring elicitation; see
   * src/mcp/confirmation.ts): a call that needs confirmation then answers `confirmation_required` instead
   * of running.
   */
  canConfirm: boolean
  /**
   * A request state handed back that is not a confirmation's: the state of an input-required round the
   * tool asked for (`ToolAnswer.inputRequired`). Verified before the tool runs, which then reads its own
   * state as `client.round`; a state that fails verification refuses the call (`input_state_invalid`).
   */
  roundState?: string
  /**
   * How the tool reaches the caller's client during the call (progress, log messages, questions), when
   * the transport can carry it; without one, reports go nowhere and questions fail.
   */
  client?: ClientChannel
}

/** Options of a call that cannot be confirmed: only the client channel (its answer is the tool's). */
export interface ChannelOnly {
  client?: ClientChannel
  canConfirm?: false
  confirmation?: undefined
}

/** A tool's answer, and the paths of its fields that hold user-written text (src/tools/core/authored.ts). */
export interface ToolAnswer {
  kind: 'answer'
  result: unknown
  authored: readonly string[]
  /**
   * A failure answered in the tool's response model: its message is the gateway's, and may quote
   * user-written names as spans (src/markers.ts quoteAuthored) for the transport to render. Only these
   * answers carry spans; a successful answer is never rewritten.
   */
  inBand?: true
  /**
   * How much longer the gateway's cache answers this call with the same result (src/cache CacheLookup),
   * in ms; absent when the answer is not cached.
   */
  ttlMs?: number
  /** For a tool that answers in content blocks (`answersWithContent`): the blocks, sent as they are. */
  content?: readonly ContentBlock[]
  /**
   * The tool needs the client's input before it can answer (2026-07-28 input-required results): what to
   * ask, by key, and the signed state the retry hands back (`CallOptions.roundState`).
   */
  inputRequired?: { requests: Readonly<Record<string, InputRequest>>; state?: string }
}

/**
 * Nothing ran: the user must confirm first. The transport asks with `message` and calls again with
 * the same name and arguments and `{ confirmation: { state, accepted } }`.
 */
export interface ConfirmationRequired {
  kind: 'confirmation_required'
  /** One sentence, the gateway's; user-written names in it are quoted authored spans (src/markers.ts). */
  message: string
  /** Signed, single-use, bound to the caller, the tool and these exact arguments. */
  state: string
  /** When the state stops being accepted (ISO 8601). */
  expiresAt: string
}

/** The user declined: nothing ran. Not an error (the call did what the user wanted). */
export interface CallDeclined {
  kind: 'declined'
  message: string
}

export type ToolOutcome = ToolAnswer | ConfirmationRequired | CallDeclined

export function unknownToolError(name: string): GatewayError {
  return new GatewayError('NotFoundError', `Unknown tool: ${name}`, {
    details: { resource_type: 'tool', resource_id: name },
  })
}

export function createDispatcher(scope: RequestScope): Dispatcher {
  // The admission admitAhead took for the request's one tools/call, and the tool it was for.
  let ahead: { name: string; admission: Admission } | undefined
  const takeAhead = (name: string): Admission | undefined => {
    const taken = ahead?.name === name ? ahead.admission : undefined
    ahead = undefined
    return taken
  }
  return {
    listResources: async () => resourcesVisibleTo(await scope.principal(), scope.config),
    listResourceTemplates: async () => resourceTemplatesVisibleTo(await scope.principal(), scope.config),
    readResource: async (uri) => {
      const resource = findResource(uri, await scope.principal(), scope.config)
      if (resource === undefined) {
        throw new GatewayError('NotFoundError', `Unknown resource: ${uri}`, {
          details: { resource_type: 'resource', resource_id: uri },
        })
      }
      return { resource, text: await resource.read(await scope.toolContext()) }
    },
    listPrompts: async () => promptsFor(scope.config),
    getPrompt: async (name, args, options = {}) => {
      const prompt = findPrompt(name, scope.config)
      if (prompt === undefined) {
        throw new GatewayError('NotFoundError', `Unknown prompt: ${name}`, {
          details: { resource_type: 'prompt', resource_id: name },
        })
      }
      const principal = await scope.principal()
      // A prompt's rounds are signed as a tool's, bound to the prompt: neither can answer the other.
      const roundOf = { tenant: principal.tenant, userId: principal.user.id, tool: `prompts/${name}` }
      // Read only when a round is signed or checked: without MCP_CONFIRM_SECRET the rest still runs.
      const secret = () => confirmationKey(scope.config.confirm)
      let client = options.client ?? (await scope.toolContext()).client
      if (options.roundState !== undefined) {
        client = { ...client, round: { state: await openRoundState(options.roundState, roundOf, secret()) } }
      }
      const context = { ...(await scope.toolContext()), client }
      const rendered = await prompt.render(checkPromptArguments(prompt, args), context)
      if (typeof rendered === 'object' && 'inputRequired' in rendered) {
        const asks = rendered.inputRequired
        const state =
          asks.state === undefined ? undefined : await issueRoundState(roundOf, asks.state, secret())
        return {
          prompt,
          inputRequired: { requests: asks.requests, ...(state === undefined ? {} : { state }) },
        }
      }
      const messages: readonly PromptMessage[] =
        typeof rendered === 'string'
          ? [{ role: 'user', content: { type: 'text', text: rendered } }]
          : rendered
      const text = messages.flatMap((message) =>
        message.content.type === 'text' ? [message.content.text] : [],
      )
      return { prompt, text: text.join('\n\n'), messages }
    },
    complete: async (ref, argument, others) => {
      const completer = await completerOf(scope, ref, argument.name)
      if (completer === undefined) return { values: [], hasMore: false }
      const values = await completer(argument.value, await scope.toolContext(), others)
      return { values: values.slice(0, COMPLETION_LIMIT), hasMore: values.length > COMPLETION_LIMIT }
    },
    listsKeptForMs: async () =>
      Math.min(principalKeptForMs(await scope.principal()), await scope.changesFreshForMs()),
    admitAhead: async (name) => {
      const principal = await scope.principal()
      if (isSearchTool(name, scope.config.toolSearch) || name === CALL_TOOL_NAME) return
      if (findVisibleTool(name, principal, scope.config, await scope.schema()) === undefined) return
      const subject = subjectOf(principal, name)
      const started = Date.now()
      try {
        ahead = { name, admission: await admit(scope, subject) }
      } catch (err) {
        const failure = asGatewayError(err)
        // The arguments were never read: the record has the tool, the caller and the refusal.
        await recordCall(scope, {
          name,
          args: {},
          principal,
          started,
          outcome: failure,
          effects: (await scope.toolContext()).effects,
          confirmation: null,
        })
        throw failure
      }
    },
    listTools: async () => {
      const visible = toolsVisibleTo(await scope.principal(), scope.config, await scope.schema())
      const search = scope.config.toolSearch
      return search.enabled ? searchView(visible, search) : visible.map(toolListing)
    },
    callTool: (async (
      requested: string,
      requestedArgs: unknown,
      options: CallOptions | ChannelOnly = {},
    ): Promise<ToolOutcome> => {
      const started = Date.now()
      const principal = await scope.principal()
      const requestContext = await scope.toolContext()
      const client = options.client
      let context = client === undefined ? requestContext : { ...requestContext, client }
      const search = scope.config.toolSearch
      // The call as recorded, limited and cached: `call_tool` is the call of the tool it names.
      let name = requested
      let args = requestedArgs
      let cacheStatus: CacheStatus | undefined
      let subject: CallSubject | undefined
      let confirmation: AuditConfirmation | null = null
      const done = (outcome: GatewayError | 'success', result?: unknown, inBand = false): Promise<void> =>
        recordCall(scope, {
          name,
          args,
          principal,
          started,
          outcome,
          result,
          inBand,
          effects: context.effects,
          cacheStatus,
          confirmation,
        })
      try {
        if (search.enabled && requested === CALL_TOOL_NAME) {
          const target = callTarget(requestedArgs)
          name = target.name
          args = target.arguments
        }
        subject = subjectOf(principal, name)
        if (isSearchTool(name, search)) {
          // Only search_tools gets here (callTarget refuses both names): limited and recorded, never cached.
          await admit(scope, subject)
          const query = searchQuery(args)
          const found = searchTools(
            toolsVisibleTo(principal, scope.config, await scope.schema()),
            query,
            search,
          )
          await done('success', found)
          return { kind: 'answer', result: found, authored: [] }
        }
        const tool = findVisibleTool(name, principal, scope.config, await scope.schema())
        if (tool === undefined) throw unknownToolError(name)
        // Every attempt counts, the one that asks for confirmation and the confirmed one alike; once,
        // when admitAhead counted it from the request's headers.
        const admission = takeAhead(name) ?? (await admit(scope, subject))
        const request = parseToolRequest(tool, args)
        const roundOf = { tenant: subject.tenant, userId: subject.userId, tool: name }
        // Read only when a round is signed or checked: without MCP_CONFIRM_SECRET the rest still runs.
        const secret = () => confirmationKey(scope.config.confirm)
        // A round the tool asked for: its state is checked before anything runs. A confirming tool asks
        // only through confirmation, so a state handed to it is not one of its rounds.
        if ('roundState' in options && options.roundState !== undefined && tool.confirm === undefined) {
          const state = await openRoundState(options.roundState, roundOf, secret())
          context = { ...context, client: { ...context.client, round: { state } } }
        }
        // A failure answered in the tool's own response model (Superset 6.1's in-band failure), but a
        // failure: the log, the metrics and the audit trail count it as one; nothing is cached or invalidated.
        const answeredInBand = async (run: InBandRun): Promise<ToolAnswer> => {
          // Answered in the tool's own response model (Superset 6.1's in-band failure), but a failure:
          // the log, the metrics and the audit trail count it as one; nothing is cached or invalidated.
          await done(run.failure, run.response, true)
          return { kind: 'answer', result: run.response, authored: authoredPathsOf(tool), inBand: true }
        }
        // Confirmation, after the request is known and before anything of the call runs (src/confirm).
        if (options.confirmation !== undefined) {
          const binding = await bindingOf(subject, request)
          await useConfirmation(scope, subject, binding, options.confirmation.state)
          if (!options.confirmation.accepted) {
            confirmation = 'declined'
            await done('success')
            return { kind: 'declined', message: declinedMessage(name) }
          }
          confirmation = 'confirmed'
        } else if (tool.confirm !== undefined && asksToConfirm(scope.config.confirm, admission.confirm)) {
          const asked = await confirmationPrompt(tool, request, context)
          if ('failed' in asked) return await answeredInBand(asked.failed)
          const prompt = asked.prompt
          if (prompt !== undefined) {
            if (options.canConfirm === true) {
              confirmation = 'required'
              const binding = await bindingOf(subject, request)
              const issued = await issueConfirmationState(binding, confirmationKey(scope.config.confirm))
              await done('success')
              return {
                kind: 'confirmation_required',
                message: prompt.message,
                state: issued.state,
                expiresAt: new Date(issued.expiresAt).toISOString(),
              }
            }
            if (scope.config.confirm.fallback === 'refuse') {
              confirmation = 'required'
              throw cannotConfirmError(name, prompt.message)
            }
            confirmation = 'unconfirmed'
          }
        }
        const cached = await lookupCache(scope, tool, request, principal, admission.recentWrites)
        cacheStatus = cached?.status
        if (cached?.status === 'hit') {
          await done('success', cached.value)
          return {
            kind: 'answer',
            result: { ...(cached.value as object), cache_status: cached.status },
            authored: authoredPathsOf(tool),
            ...clientTtl(tool, principal, cached.ttlMs),
          }
        }
        const run = await runTool(tool, request, context)
        if (run.failure !== undefined) return await answeredInBand({ ...run, failure: run.failure })
        const result = run.response
        const asks = inputRequiredOf(tool, result)
        // A question is not an answer: never cached.
        if (asks === undefined) cached?.store?.(result)
        await afterWrites(scope, subject, context.effects)
        await done('success', result)
        if (asks !== undefined) {
          const state =
            asks.state === undefined ? undefined : await issueRoundState(roundOf, asks.state, secret())
          return {
            kind: 'answer',
            result,
            authored: [],
            inputRequired: { requests: asks.requests, ...(state === undefined ? {} : { state }) },
          }
        }
        if (tool.answersWithContent === true) {
          return {
            kind: 'answer',
            result,
            authored: [],
            content: (result as { content: ContentBlock[] }).content,
          }
        }
        return {
          kind: 'answer',
          result: cached === undefined ? result : { ...(result as object), cache_status: cached.status },
          authored: authoredPathsOf(tool),
          // Only an answer the cache now holds: a bypass that stores nothing promises nothing.
          ...(cached?.store === undefined ? {} : clientTtl(tool, principal, cached.ttlMs)),
        }
      } catch (err) {
        const failure = asGatewayError(err)
        // A tool that failed after writing still changed what cached lists show.
        if (subject !== undefined) {
          await afterWrites(scope, subject, context.effects).catch((cause: unknown) =>
            scope.log.warn('after_writes_failed', { tool: name, ...describeError(cause) }),
          )
        }
        await done(failure)
        throw failure
      }
    }) as Dispatcher['callTool'],
  }
}

/** The input a content-answering tool asks for instead of answering (core/content.ts InputRequiredAnswer). */
function inputRequiredOf(
  tool: AnyToolDefinition,
  result: unknown,
): { requests: Record<string, InputRequest>; state?: unknown } | undefined {
  if (tool.answersWithContent !== true || typeof result !== 'object' || result === null) return undefined
  return (result as { inputRequired?: { requests: Record<string, InputRequest>; state?: unknown } })
    .inputRequired
}

/** What a confirmation state binds: this caller, this tool, these exact parsed arguments. */
async function bindingOf(subject: CallSubject, request: unknown): Promise<ConfirmationBinding> {
  return {
    tenant: subject.tenant,
    userId: subject.userId,
    tool: subject.tool,
    argumentsDigest: await digestArguments(request ?? {}),
  }
}

/**
 * Checks a state handed back with a confirmation and uses it up: verified against the call (signature,
 * age, caller, tool, arguments), then its nonce consumed in the caller's RateLimiter Durable Object, so
 * it answers one call, whichever isolate each attempt reaches. A nonce that cannot be consumed (the object
 * is unreachable) refuses the call: single use is never assumed.
 */
async function useConfirmation(
  scope: RequestScope,
  subject: CallSubject,
  binding: ConfirmationBinding,
  state: string,
): Promise<void> {
  const verified = await verifyConfirmationState(state, binding, confirmationKey(scope.config.confirm))
  let fresh: boolean
  try {
    fresh = await scope.services.limiter.consumeNonce(subject, verified.nonce, verified.expiresAt)
  } catch (err) {
    throw new GatewayError(
      'UpstreamError',
      'The gateway could not make sure this confirmation is used only once (its rate limiter did not answer); nothing was run. Try again with the same confirmation.',
      { cause: err, details: { reason: 'confirmation_unverifiable' } },
    )
  }
  if (!fresh) throw stateUsedError()
}

/** The Superset view whose `can_write` lets a caller change objects of a cached kind through the gateway. */
const WRITABLE_VIEW: Record<string, string> = {
  chart: 'Chart',
  dashboard: 'Dashboard',
  dataset: 'Dataset',
  database: 'Database',
}

/**
 * What a client may be told to keep a cached answer for (2026-07-28 `ttlMs`): no longer than the gateway
 * keeps it (the entry's remaining TTL, capped by how long the request's view of changes made in Superset
 * is used: src/cache CacheLookup.ttlMs), nor than it keeps the caller's permissions (the key changes when
 * they reload). A caller who can
 * change what the answer depends on gets none: the gateway drops the entry at once on that caller's own
 * write, which a client holding on to it would not see (read-your-writes).
 */
function clientTtl(
  tool: AnyToolDefinition,
  principal: Principal,
  entryTtlMs: number | undefined,
): { ttlMs?: number } {
  if (entryTtlMs === undefined || tool.cache === undefined) return {}
  const writable = tool.cache.dependsOn.some((kind) => {
    const view = WRITABLE_VIEW[kind]
    return view !== undefined && principal.can('can_write', view)
  })
  if (writable) return {}
  return { ttlMs: Math.min(entryTtlMs, principalKeptForMs(principal)) }
}

/**
 * How a prompt argument or template variable is completed: from its closed list of values, by its own
 * completer, or not at all. An unknown prompt, template or argument is refused, as a get would refuse it.
 */
async function completerOf(
  scope: RequestScope,
  ref: CompletionRef,
  name: string,
): Promise<Completer | undefined> {
  if (ref.kind === 'prompt') {
    const prompt = findPrompt(ref.name, scope.config)
    if (prompt === undefined) {
      throw new GatewayError('NotFoundError', `Unknown prompt: ${ref.name}`, {
        details: { resource_type: 'prompt', resource_id: ref.name },
      })
    }
    const argument = prompt.arguments.find((candidate) => candidate.name === name)
    if (argument === undefined) {
      throw new GatewayError(
        'ValidationError',
        `Unknown argument "${name}" for prompt ${prompt.name}; it takes: ${prompt.arguments.map((item) => item.name).join(', ') || 'none'}.`,
      )
    }
    const values = argument.values
    return values === undefined ? argument.complete : async (typed) => completeFrom(values, typed)
  }
  const templates = resourceTemplatesVisibleTo(await scope.principal(), scope.config)
  const template = templates.find((candidate) => candidate.uriTemplate === ref.uriTemplate)
  if (template === undefined) {
    throw new GatewayError('NotFoundError', `Unknown resource template: ${ref.uriTemplate}`, {
      details: { resource_type: 'resource', resource_id: ref.uriTemplate },
    })
  }
  if (!template.uriTemplate.includes(`{${name}}`)) {
    throw new GatewayError(
      'ValidationError',
      `Unknown variable "${name}" of resource template ${template.uriTemplate}.`,
    )
  }
  return template.complete?.[name]
}

/** Prompt arguments are strings; unknown names and values outside a closed list are refused. */
function checkPromptArguments(
  prompt: PromptDefinition,
  args: Record<string, string>,
): Record<string, string> {
  for (const [name, value] of Object.entries(args)) {
    const argument = prompt.arguments.find((candidate) => candidate.name === name)
    if (argument === undefined) {
      throw new GatewayError(
        'ValidationError',
        `Unknown argument "${name}" for prompt ${prompt.name}; it takes: ${prompt.arguments.map((item) => item.name).join(', ')}.`,
      )
    }
    if (argument.values !== undefined && !argument.values.includes(value)) {
      throw new GatewayError(
        'ValidationError',
        `Argument "${name}" must be one of: ${argument.values.join(', ')}.`,
      )
    }
  }
  const missing = prompt.arguments.filter(
    (argument) => argument.required && args[argument.name] === undefined,
  )
  if (missing.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `Missing argument(s): ${missing.map((argument) => argument.name).join(', ')}.`,
    )
  }
  return args
}

/** Whom a call of `tool` is counted and recorded for. */
function subjectOf(principal: Principal, tool: string): CallSubject {
  return { tenant: principal.tenant, userId: principal.user.id, username: principal.user.username, tool }
}

async function admit(scope: RequestScope, subject: CallSubject): Promise<Admission> {
  const admission = await scope.services.limiter.admit(subject)
  for (const [header, value] of Object.entries(admission.headers)) scope.responseHeaders.set(header, value)
  if (!admission.allowed) throw admission.error
  return admission
}

/** The cache's answer for a cacheable tool; undefined for the others (writes, chart data, SQL). */
async function lookupCache(
  scope: RequestScope,
  tool: AnyToolDefinition,
  request: unknown,
  principal: Principal,
  recentWrites: Record<string, number> | undefined,
): Promise<CacheLookup | undefined> {
  const cache = scope.services.cache
  if (cache === undefined || tool.cache === undefined) return undefined
  const seen = await scope.changes()
  const lookup = await cache.lookup({
    tool: tool.name,
    policy: tool.cache,
    request: request as Record<string, unknown>,
    principal,
    recentWrites,
    ...(seen === undefined
      ? {}
      : { changes: { generations: seen.generations, freshForMs: await scope.changesFreshForMs() } }),
  })
  scope.responseHeaders.set('X-Cache-Status', lookup.status)
  return lookup
}

/** A successful write makes cached answers about what it changed stale, at once for its author. */
async function afterWrites(scope: RequestScope, subject: CallSubject, effects: CallEffects): Promise<void> {
  if (effects.changed.size === 0) return
  const kinds = [...effects.changed]
  scope.services.cache?.invalidate(subject.tenant, kinds)
  await scope.services.limiter.noteWrites(subject, kinds)
}

interface FinishedCall {
  name: string
  args: unknown
  principal: Principal
  started: number
  outcome: GatewayError | 'success'
  result?: unknown
  /** The failure was answered in the tool's response model (the caller saw no isError). */
  inBand?: boolean
  effects: CallEffects
  cacheStatus?: CacheStatus
  confirmation: AuditConfirmation | null
}

/** One log line (a success at debug) and one audit record per call (handed on after the response). */
async function recordCall(scope: RequestScope, call: FinishedCall): Promise<void> {
  const durationMs = Date.now() - call.started
  const failure = call.outcome === 'success' ? undefined : call.outcome
  const fields = {
    tool: call.name,
    tenant: call.principal.tenant,
    user_id: call.principal.user.id,
    outcome: failure === undefined ? 'success' : 'error',
    duration_ms: durationMs,
    ...(failure === undefined ? {} : { error_type: failure.type }),
    ...(call.inBand === true ? { in_band: true } : {}),
    ...(failure?.cause === undefined ? {} : describeError(failure.cause)),
  }
  // A success is already on the request's access line (tool, user, cache status, duration): at debug only,
  // so that info writes one line per request. A failure says why, at info (4xx) or error (5xx).
  if (failure === undefined) scope.log.debug('tool_call', fields)
  else if (failure.status >= 500) scope.log.error('tool_call', fields)
  else scope.log.info('tool_call', fields)
  scope.services.observer?.toolCall({
    tool: call.name,
    tenant: call.principal.tenant,
    transport: scope.transport,
    outcome: failure === undefined ? 'success' : 'error',
    errorType: failure?.type ?? null,
    durationMs,
    cacheStatus: call.cacheStatus ?? null,
    error: failure,
  })
  scope.audit({
    recordId: crypto.randomUUID(),
    occurredAt: new Date(Date.now() - durationMs).toISOString(),
    requestId: scope.requestId,
    tenant: call.principal.tenant,
    userId: call.principal.user.id,
    username: call.principal.user.username,
    tool: call.name,
    transport: scope.transport,
    outcome: failure === undefined ? 'success' : 'error',
    errorType: failure?.type ?? null,
    durationMs,
    rowsReturned: call.effects.rowsReturned ?? itemCount(call.result),
    objectsAffected: call.effects.objectsAffected,
    createdIds: call.effects.created,
    argumentsDigest: await digestArguments(call.args ?? {}),
    argumentsRedacted: redactArguments(call.args ?? {}),
    confirmation: call.confirmation,
    traceId: scope.traceId() ?? null,
  })
}

/** List answers report how many items they returned. */
function itemCount(result: unknown): number | null {
  if (typeof result !== 'object' || result === null) return null
  const count = (result as Record<string, unknown>).count
  return typeof count === 'number' ? count : null
}
