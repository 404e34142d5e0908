/**
 * The fixtures of the suite's 2026-07-28 input-required scenarios (SEP-2322: `input-required-result-*`,
 * and `server-stateless`'s `test_missing_capability`), by the names, keys and answers its scenario
 * descriptions give. Each asks through the gateway's protocol-independent door (core/content.ts
 * InputRequiredAnswer): it answers the questions it needs, the client answers them on a retry, which the
 * tool reads as `client.inputResponse(key)` and, when it handed out a state, `client.round.state`. The
 * gateway signs that state (src/dispatch), so a tampered one never reaches the tool.
 */
import * as z from 'zod'
import {
  ContentAnswerSchema,
  defineTool,
  InputRequiredAnswerSchema,
  READ_ONLY,
  requestObject,
  type AnyToolDefinition,
  type ClientChannel,
  type ContentAnswer,
  type InputForm,
  type InputRequest,
  type InputRequiredAnswer,
  type SampleRequest,
  type ToolContext,
} from '../core'

type Outcome = ContentAnswer | InputRequiredAnswer

function askingTool(spec: {
  name: string
  title: string
  description: string
  run(context: ToolContext): Promise<Outcome>
}): AnyToolDefinition {
  return defineTool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: requestObject({}),
    output: z.union([ContentAnswerSchema, InputRequiredAnswerSchema]),
    answersWithContent: true,
    annotations: READ_ONLY,
    permission: null,
    sizeGuard: false,
    run: (_request, context) => spec.run(context),
  })
}

const text = (value: string): ContentAnswer => ({ content: [{ type: 'text', text: value }] })

const ask = (requests: Record<string, InputRequest>, state?: z.core.util.JSONType): InputRequiredAnswer => ({
  inputRequired: { requests, ...(state === undefined ? {} : { state }) },
})

const form = (message: string, field: string, type: 'string' | 'boolean'): InputRequest => ({
  kind: 'elicit',
  form: {
    message,
    requestedSchema: { type: 'object', properties: { [field]: { type } }, required: [field] },
  } satisfies InputForm,
})

const sample = (prompt: string, maxTokens: number): InputRequest => ({
  kind: 'sample',
  request: {
    messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
    maxTokens,
  } satisfies SampleRequest,
})

const ROOTS: InputRequest = { kind: 'roots' }

/** The accepted form's `field`, when the retry answered `key` with one. */
function accepted(client: ClientChannel, key: string, field: string): unknown {
  const response = client.inputResponse(key)
  if (response.kind !== 'elicit' || response.answer.action !== 'accept') return undefined
  return response.answer.content?.[field]
}

function sampledText(client: ClientChannel, key: string): string | undefined {
  const response = client.inputResponse(key)
  if (response.kind !== 'sample') return undefined
  const content = response.content as { type?: unknown; text?: unknown } | undefined
  return content?.type === 'text' && typeof content.text === 'string' ? content.text : ''
}

function rootsOf(client: ClientChannel, key: string): string[] | undefined {
  const response = client.inputResponse(key)
  return response.kind === 'roots' ? response.roots.map((root) => root.uri) : undefined
}

/** The round's state, when the retry handed back the one this tool gave out. */
function roundState(client: ClientChannel): Record<string, unknown> | undefined {
  const state = client.round?.state
  return typeof state === 'object' && state !== null ? (state as Record<string, unknown>) : undefined
}

export const testInputRequiredElicitation = askingTool({
  name: 'test_input_required_result_elicitation',
  title: 'Conformance: input required (elicitation)',
  description: 'Asks for the user name through an input-required result, then greets',
  run: async ({ client }) => {
    const name = accepted(client, 'user_name', 'name')
    // A missing, unreadable or wrongly keyed answer is asked for again (SEP-2322), not refused.
    if (typeof name !== 'string') return ask({ user_name: form('What is your name?', 'name', 'string') })
    return text(`Hello, ${name}!`)
  },
})

export const testInputRequiredSampling = askingTool({
  name: 'test_input_required_result_sampling',
  title: 'Conformance: input required (sampling)',
  description: 'Asks the client model a question through an input-required result',
  run: async ({ client }) => {
    const answer = sampledText(client, 'capital_question')
    if (answer === undefined) return ask({ capital_question: sample('What is the capital of France?', 100) })
    return text(`LLM response: ${answer}`)
  },
})

export const testInputRequiredListRoots = askingTool({
  name: 'test_input_required_result_list_roots',
  title: 'Conformance: input required (roots)',
  description: "Asks for the client's roots through an input-required result",
  run: async ({ client }) => {
    const roots = rootsOf(client, 'client_roots')
    if (roots === undefined) return ask({ client_roots: ROOTS })
    return text(`Client roots: ${roots.join(', ')}`)
  },
})

export const testInputRequiredRequestState = askingTool({
  name: 'test_input_required_result_request_state',
  title: 'Conformance: input required (request state)',
  description: 'Asks for a confirmation with a request state, and checks the state handed back',
  run: async ({ client }) => {
    const ok = accepted(client, 'confirm', 'ok')
    if (typeof ok !== 'boolean' || roundState(client)?.asked !== 'confirm') {
      return ask({ confirm: form('Please confirm', 'ok', 'boolean') }, { asked: 'confirm' })
    }
    return text(`state-ok: confirmed=${ok}`)
  },
})

export const testInputRequiredMultipleInputs = askingTool({
  name: 'test_input_required_result_multiple_inputs',
  title: 'Conformance: input required (several inputs)',
  description: 'Asks for a form, a sampling and the roots in one input-required result',
  run: async ({ client }) => {
    const name = accepted(client, 'user_name', 'name')
    const greeting = sampledText(client, 'greeting')
    const roots = rootsOf(client, 'client_roots')
    if (
      typeof name !== 'string' ||
      greeting === undefined ||
      roots === undefined ||
      roundState(client)?.asked !== 'all'
    ) {
      return ask(
        {
          user_name: form('What is your name?', 'name', 'string'),
          greeting: sample('Generate a greeting', 50),
          client_roots: ROOTS,
        },
        { asked: 'all' },
      )
    }
    return text(`${greeting} ${name} (roots: ${roots.join(', ')})`)
  },
})

export const testInputRequiredMultiRound = askingTool({
  name: 'test_input_required_result_multi_round',
  title: 'Conformance: input required (several rounds)',
  description: 'Asks two questions, one per round, carrying the first answer in the request state',
  run: async ({ client }) => {
    const state = roundState(client)
    const name = accepted(client, 'step1', 'name')
    const color = accepted(client, 'step2', 'color')
    if (state?.round === 2 && typeof state.name === 'string' && typeof color === 'string') {
      return text(`${state.name} likes ${color}`)
    }
    if (state?.round === 2 || (state?.round === 1 && typeof name === 'string')) {
      const known = state.round === 2 ? state.name : name
      return ask(
        { step2: form('Step 2: What is your favorite color?', 'color', 'string') },
        { round: 2, name: typeof known === 'string' ? known : '' },
      )
    }
    return ask({ step1: form('Step 1: What is your name?', 'name', 'string') }, { round: 1 })
  },
})

export const testInputRequiredTamperedState = askingTool({
  name: 'test_input_required_result_tampered_state',
  title: 'Conformance: input required (signed state)',
  description: 'Asks with a request state; a state that was altered is refused before the tool runs',
  run: async ({ client }) => {
    if (roundState(client)?.asked !== 'proceed') {
      return ask({ proceed: form('Proceed?', 'ok', 'boolean') }, { asked: 'proceed' })
    }
    return text(`state-ok: ok=${String(accepted(client, 'proceed', 'ok'))}`)
  },
})

export const testInputRequiredCapabilities = askingTool({
  name: 'test_input_required_result_capabilities',
  title: 'Conformance: input required (client capabilities)',
  description: 'Asks only for the kinds of input the request declares the client can give',
  run: async ({ client }) => {
    const requests: Record<string, InputRequest> = {}
    if (client.canAsk('sample') && sampledText(client, 'summary') === undefined) {
      requests.summary = sample('Summarise the conformance run', 50)
    }
    if (client.canAsk('elicit') && accepted(client, 'user_name', 'name') === undefined) {
      requests.user_name = form('What is your name?', 'name', 'string')
    }
    if (client.canAsk('roots') && rootsOf(client, 'client_roots') === undefined) {
      requests.client_roots = ROOTS
    }
    return Object.keys(requests).length > 0 ? ask(requests) : text('Nothing left to ask')
  },
})

// server-stateless: asks for sampling whatever the request declares; the MCP layer refuses the question
// to a client that did not declare sampling (-32021, HTTP 400), so the tool never runs on without it.
export const testMissingCapability = askingTool({
  name: 'test_missing_capability',
  title: 'Conformance: undeclared capability',
  description: 'Diagnostic tool that needs sampling from the client',
  run: async ({ client }) => {
    const answer = sampledText(client, 'needs_sampling')
    if (answer === undefined) return ask({ needs_sampling: sample('Diagnostic sampling request', 10) })
    return text(`Sampled: ${answer}`)
  },
})

export const INPUT_REQUIRED_TOOLS: readonly AnyToolDefinition[] = [
  testInputRequiredElicitation,
  testInputRequiredSampling,
  testInputRequiredListRoots,
  testInputRequiredRequestState,
  testInputRequiredMultipleInputs,
  testInputRequiredMultiRound,
  testInputRequiredTamperedState,
  testInputRequiredCapabilities,
  testMissingCapability,
]
