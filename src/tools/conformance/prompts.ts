/** The prompts the suite's prompt scenarios get (src/scenarios/server/prompts.ts). */
import type { PromptDefinition } from '../core'
import { PNG_PIXEL } from './media'

export const simplePrompt: PromptDefinition = {
  name: 'test_simple_prompt',
  title: 'Simple Test Prompt',
  description: 'A simple prompt without arguments',
  arguments: [],
  render: async () => 'This is a simple prompt for testing.',
}

export const promptWithArguments: PromptDefinition = {
  name: 'test_prompt_with_arguments',
  title: 'Prompt With Arguments',
  description: 'A prompt with required arguments',
  arguments: [
    { name: 'arg1', description: 'First test argument', required: true },
    { name: 'arg2', description: 'Second test argument', required: true },
  ],
  render: async (args) => `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`,
}

export const promptWithEmbeddedResource: PromptDefinition = {
  name: 'test_prompt_with_embedded_resource',
  title: 'Prompt With Embedded Resource',
  description: 'A prompt that includes an embedded resource',
  arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
  render: async (args) => [
    {
      role: 'user',
      content: {
        type: 'resource',
        resource: {
          uri: args.resourceUri ?? '',
          mimeType: 'text/plain',
          text: 'Embedded resource content for testing.',
        },
      },
    },
    { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
  ],
}

export const promptWithImage: PromptDefinition = {
  name: 'test_prompt_with_image',
  title: 'Prompt With Image',
  description: 'A prompt that includes image content',
  arguments: [],
  render: async () => [
    { role: 'user', content: { type: 'image', data: PNG_PIXEL, mimeType: 'image/png' } },
    { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
  ],
}

/** input-required-result-non-tool-request: prompts/get asks through an input-required result, as a tool does. */
export const inputRequiredPrompt: PromptDefinition = {
  name: 'test_input_required_result_prompt',
  title: 'Input Required Prompt',
  description: 'A prompt that asks the user for its context before it renders',
  arguments: [],
  render: async (_args, { client }) => {
    const response = client.inputResponse('user_context')
    const context = response.kind === 'elicit' ? response.answer.content?.context : undefined
    if (response.kind !== 'elicit' || response.answer.action !== 'accept' || typeof context !== 'string') {
      return {
        inputRequired: {
          requests: {
            user_context: {
              kind: 'elicit',
              form: {
                message: 'What context should the prompt use?',
                requestedSchema: {
                  type: 'object',
                  properties: { context: { type: 'string' } },
                  required: ['context'],
                },
              },
            },
          },
        },
      }
    }
    return `Use this context: ${context}`
  },
}

export const CONFORMANCE_PROMPTS: readonly PromptDefinition[] = [
  simplePrompt,
  promptWithArguments,
  promptWithEmbeddedResource,
  promptWithImage,
  inputRequiredPrompt,
]
