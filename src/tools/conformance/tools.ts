/**
 * The tools the conformance suite's tool scenarios call, by the names and with the answers its
 * scenarios check (@modelcontextprotocol/conformance, src/scenarios/server/tools.ts and the reference
 * everything-server). They touch no Superset data; they exist so the suite can drive the gateway's real
 * pipeline (authentication, limits, audit, the dispatcher) end to end.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import {
  ContentAnswerSchema,
  defineTool,
  READ_ONLY,
  requestObject,
  type AnyToolDefinition,
  type ContentAnswer,
  type ToolContext,
} from '../core'
import { INPUT_REQUIRED_TOOLS } from './input-required'
import { PNG_PIXEL, WAV_SAMPLE } from './media'

interface FixtureSpec {
  name: string
  title: string
  description: string
  input?: z.ZodType
  run(request: Record<string, unknown>, context: ToolContext): Promise<ContentAnswer>
}

function fixtureTool(spec: FixtureSpec): AnyToolDefinition {
  return defineTool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: spec.input ?? requestObject({}),
    output: ContentAnswerSchema,
    answersWithContent: true,
    annotations: READ_ONLY,
    permission: null,
    sizeGuard: false,
    run: (request, context) => spec.run(request as Record<string, unknown>, context),
  })
}

const text = (value: string): ContentAnswer => ({ content: [{ type: 'text', text: value }] })

/** The suite waits for notifications in order, spaced as its reference server spaces them. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const testSimpleText = fixtureTool({
  name: 'test_simple_text',
  title: 'Conformance: simple text',
  description: 'Tests simple text content response',
  run: async () => text('This is a simple text response for testing.'),
})

export const testImageContent = fixtureTool({
  name: 'test_image_content',
  title: 'Conformance: image content',
  description: 'Tests image content response',
  run: async () => ({ content: [{ type: 'image', data: PNG_PIXEL, mimeType: 'image/png' }] }),
})

export const testAudioContent = fixtureTool({
  name: 'test_audio_content',
  title: 'Conformance: audio content',
  description: 'Tests audio content response',
  run: async () => ({ content: [{ type: 'audio', data: WAV_SAMPLE, mimeType: 'audio/wav' }] }),
})

export const testEmbeddedResource = fixtureTool({
  name: 'test_embedded_resource',
  title: 'Conformance: embedded resource',
  description: 'Tests embedded resource content response',
  run: async () => ({
    content: [
      {
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      },
    ],
  }),
})

export const testMultipleContentTypes = fixtureTool({
  name: 'test_multiple_content_types',
  title: 'Conformance: mixed content',
  description: 'Tests response with multiple content types (text, image, resource)',
  run: async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: PNG_PIXEL, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: {
          uri: 'test://mixed-content-resource',
          mimeType: 'application/json',
          text: JSON.stringify({ test: 'data', value: 123 }),
        },
      },
    ],
  }),
})

export const testToolWithLogging = fixtureTool({
  name: 'test_tool_with_logging',
  title: 'Conformance: log messages',
  description: 'Tests tool that emits log messages during execution',
  run: async (_request, context) => {
    await context.client.log('info', 'Tool execution started')
    await pause(50)
    await context.client.log('info', 'Tool processing data')
    await pause(50)
    await context.client.log('info', 'Tool execution completed')
    return text('Tool with logging executed successfully')
  },
})

export const testToolWithProgress = fixtureTool({
  name: 'test_tool_with_progress',
  title: 'Conformance: progress',
  description: 'Tests tool that reports progress notifications',
  run: async (_request, context) => {
    for (const step of [0, 50, 100]) {
      if (step > 0) await pause(50)
      await context.client.progress(step, 100, `Completed step ${step} of 100`)
    }
    return text('Progress reported: 0, 50 and 100 of 100')
  },
})

export const testErrorHandling = fixtureTool({
  name: 'test_error_handling',
  title: 'Conformance: tool error',
  description: 'Tests error response handling',
  run: async () => {
    // A failure of the tool, not of the protocol: the caller sees isError with this message.
    throw new GatewayError('UpstreamError', 'This tool intentionally returns an error for testing')
  },
})

/** The suite's reference answers "… not supported or error: …" when the client cannot be asked. */
async function asking(what: string, ask: () => Promise<string>): Promise<ContentAnswer> {
  try {
    return text(await ask())
  } catch (err) {
    return text(`${what} not supported or error: ${err instanceof Error ? err.message : String(err)}`)
  }
}

export const testSampling = fixtureTool({
  name: 'test_sampling',
  title: 'Conformance: sampling',
  description: 'Tests server-initiated sampling (LLM completion request)',
  input: requestObject({ prompt: z.string().describe('The prompt to send to the LLM') }),
  run: async (request, context) =>
    asking('Sampling', async () => {
      const answer = await context.client.sample({
        messages: [{ role: 'user', content: { type: 'text', text: String(request.prompt) } }],
        maxTokens: 100,
      })
      return `LLM response: ${answer.content.type === 'text' ? answer.content.text : 'No response'}`
    }),
})

const elicited = (prefix: string) => (answer: { action: string; content?: Record<string, unknown> }) =>
  `${prefix}: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`

export const testElicitation = fixtureTool({
  name: 'test_elicitation',
  title: 'Conformance: elicitation',
  description: 'Tests server-initiated elicitation (user input request)',
  input: requestObject({ message: z.string().describe('The message to show the user') }),
  run: async (request, context) =>
    asking('Elicitation', async () =>
      elicited('User response')(
        await context.client.elicit({
          message: String(request.message),
          requestedSchema: {
            type: 'object',
            properties: { response: { type: 'string', description: "User's response" } },
            required: ['response'],
          },
        }),
      ),
    ),
})

export const testElicitationDefaults = fixtureTool({
  name: 'test_elicitation_sep1034_defaults',
  title: 'Conformance: elicitation defaults',
  description: 'Tests elicitation with default values per SEP-1034',
  run: async (_request, context) =>
    asking('Elicitation', async () =>
      elicited('Elicitation completed')(
        await context.client.elicit({
          message: 'Please review and update the form fields with defaults',
          requestedSchema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'User name', default: 'John Doe' },
              age: { type: 'integer', description: 'User age', default: 30 },
              score: { type: 'number', description: 'User score', default: 95.5 },
              status: {
                type: 'string',
                description: 'User status',
                enum: ['active', 'inactive', 'pending'],
                default: 'active',
              },
              verified: { type: 'boolean', description: 'Verification status', default: true },
            },
            required: [],
          },
        }),
      ),
    ),
})

const titled = (prefix: string, word: string) =>
  ['First', 'Second', 'Third'].map((ordinal, index) => ({
    const: `${prefix}${index + 1}`,
    title: `${ordinal} ${word}`,
  }))

export const testElicitationEnums = fixtureTool({
  name: 'test_elicitation_sep1330_enums',
  title: 'Conformance: elicitation enums',
  description: 'Tests elicitation with enum schema improvements per SEP-1330',
  run: async (_request, context) =>
    asking('Elicitation', async () =>
      elicited('Elicitation completed')(
        await context.client.elicit({
          message: 'Please select options from the enum fields',
          requestedSchema: {
            type: 'object',
            properties: {
              untitledSingle: {
                type: 'string',
                description: 'Select one option',
                enum: ['option1', 'option2', 'option3'],
              },
              titledSingle: {
                type: 'string',
                description: 'Select one option with titles',
                oneOf: titled('value', 'Option'),
              },
              legacyEnum: {
                type: 'string',
                description: 'Select one option (legacy)',
                enum: ['opt1', 'opt2', 'opt3'],
                enumNames: ['Option One', 'Option Two', 'Option Three'],
              },
              untitledMulti: {
                type: 'array',
                description: 'Select multiple options',
                minItems: 1,
                maxItems: 3,
                items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
              },
              titledMulti: {
                type: 'array',
                description: 'Select multiple options with titles',
                minItems: 1,
                maxItems: 3,
                items: { anyOf: titled('value', 'Choice') },
              },
            },
            required: [],
          },
        }),
      ),
    ),
})

// 2026-07-28's diagnostics (server-stateless): a progress report on the call's own response stream, and a
// log message the channel delivers only when the request's _meta asked for a log level.
export const testStreamingElicitation = fixtureTool({
  name: 'test_streaming_elicitation',
  title: 'Conformance: response stream',
  description: 'Diagnostic tool validating response progress streams',
  run: async (_request, context) => {
    await context.client.progress(50, 100)
    return text('Streaming complete')
  },
})

export const testLoggingTool = fixtureTool({
  name: 'test_logging_tool',
  title: 'Conformance: log level',
  description: 'Diagnostic logging validator tool',
  run: async (_request, context) => {
    await context.client.log('info', 'Diagnostic trace logging activated')
    return text('Logging evaluated')
  },
})

export const CONFORMANCE_TOOLS: readonly AnyToolDefinition[] = [
  testSimpleText,
  testImageContent,
  testAudioContent,
  testEmbeddedResource,
  testMultipleContentTypes,
  testToolWithLogging,
  testToolWithProgress,
  testErrorHandling,
  testSampling,
  testElicitation,
  testElicitationDefaults,
  testElicitationEnums,
  testStreamingElicitation,
  testLoggingTool,
  ...INPUT_REQUIRED_TOOLS,
]
