/**
 * What a tool, resource or prompt may answer besides JSON, and what it may ask of the client while it
 * runs, described without the MCP SDK: the MCP layer maps these to the protocol's content blocks,
 * notifications and client requests (`tools/call` content, `notifications/progress`,
 * `notifications/message`, `elicitation/create`, `sampling/createMessage`), each era in its own way.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'

const base64 = z.base64()

/** A text or a binary (base64) document: an embedded resource, or what a resource read gives. */
export const ResourceContentsSchema = z.union([
  z.object({ uri: z.string(), mimeType: z.string(), text: z.string() }),
  z.object({ uri: z.string(), mimeType: z.string(), blob: base64 }),
])
export type ResourceContents = z.infer<typeof ResourceContentsSchema>

export const ContentBlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image'), data: base64, mimeType: z.string().startsWith('image/') }),
  z.object({ type: z.literal('audio'), data: base64, mimeType: z.string().startsWith('audio/') }),
  z.object({ type: z.literal('resource'), resource: ResourceContentsSchema }),
])
export type ContentBlock = z.infer<typeof ContentBlockSchema>

/**
 * The output of a tool that answers in content blocks (`answersWithContent`): the MCP layer sends the
 * blocks as the call's content instead of the answer as JSON text and structured content.
 */
export const ContentAnswerSchema = z.object({ content: z.array(ContentBlockSchema).min(1) })
export type ContentAnswer = z.infer<typeof ContentAnswerSchema>

/** A prompt's message (a prompt answers text, or these). */
export interface PromptMessage {
  role: 'user' | 'assistant'
  content: ContentBlock
}

/** RFC 5424 severities, as MCP's logging uses them. */
export type ClientLogLevel =
  'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency'

/** A form the user fills in (elicitation): a flat object schema of primitive fields. */
export interface InputForm {
  message: string
  requestedSchema: { type: 'object'; properties: Record<string, unknown>; required?: string[] }
}

export interface InputAnswer {
  action: 'accept' | 'decline' | 'cancel'
  content?: Record<string, unknown>
}

/** A completion the client's model writes (sampling). */
export interface SampleRequest {
  messages: { role: 'user' | 'assistant'; content: ContentBlock }[]
  maxTokens: number
}

/**
 * What a tool may ask the client for between two rounds of the same call (2026-07-28 input-required
 * results): the client answers by key and calls again; nothing waits in between.
 */
export type InputRequest =
  { kind: 'elicit'; form: InputForm } | { kind: 'sample'; request: SampleRequest } | { kind: 'roots' }

/** A client's answer to one InputRequest, as the retry carries it; `missing` when absent or unreadable. */
export type InputResponse =
  | { kind: 'elicit'; answer: InputAnswer }
  | { kind: 'sample'; content: unknown }
  | { kind: 'roots'; roots: { uri: string; name?: string }[] }
  | { kind: 'missing' }

/**
 * The answer of a tool that needs input before it can answer: what to ask (by key) and what it wants
 * back on the retry (`state`, any JSON). The gateway signs the state, binding it to the caller and the
 * tool, so the retry hands the tool its own state or the call is refused (src/dispatch).
 */
export const InputRequiredAnswerSchema = z.object({
  inputRequired: z.object({
    requests: z.record(
      z.string(),
      z.custom<InputRequest>((value) => typeof value === 'object' && value !== null),
    ),
    state: z.json().optional(),
  }),
})
export type InputRequiredAnswer = z.infer<typeof InputRequiredAnswerSchema>

/** A retry of a call that answered InputRequiredAnswer: the state the tool handed out, verified. */
export interface InputRound {
  state: unknown
}

/**
 * The client of the call in progress, as far as the protocol lets a tool reach it: progress and log
 * messages it may be shown, and questions it may be asked. Where the transport cannot carry one (a
 * plain-HTTP call, a client that declared no such capability, a JSON answer), reporting does nothing
 * and asking fails with a ValidationError saying so: a tool decides what to answer without the input.
 */
export interface ClientChannel {
  progress(progress: number, total?: number, message?: string): Promise<void>
  log(level: ClientLogLevel, data: unknown): Promise<void>
  elicit(form: InputForm): Promise<InputAnswer>
  sample(request: SampleRequest): Promise<{ content: ContentBlock; model?: string }>
  /** Whether the client declared, on this request, that it can be asked this kind of input. */
  canAsk(kind: InputRequest['kind']): boolean
  /**
   * The client's answers on a request that carries them (2026-07-28), by key. Unsigned: only the round's
   * state (`round`) is the gateway's; answers are the client's and untrusted.
   */
  inputResponse(key: string): InputResponse
  /** On a retry of an input-required round: the state the tool handed out, verified (src/dispatch). */
  round?: InputRound
}

/** A channel to nobody: what a call gets until the MCP layer hands the dispatcher a live one. */
export const UNREACHABLE_CLIENT: ClientChannel = {
  progress: async () => undefined,
  log: async () => undefined,
  elicit: async () => {
    throw cannotAsk('elicitation')
  },
  sample: async () => {
    throw cannotAsk('sampling')
  },
  canAsk: () => false,
  inputResponse: () => ({ kind: 'missing' }),
}

function cannotAsk(what: string): GatewayError {
  return new GatewayError(
    'ValidationError',
    `This call cannot ask the client for input (${what}): the client did not offer it on this request.`,
  )
}
