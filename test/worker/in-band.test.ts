/**
 * runTool's in-band rule on its own: a tool with a 6.1 in-band failure model answers a failure in that
 * model, unless the call already wrote something (then "nothing was created" would be false and the
 * failure stays an error). The five in-band tools are exercised end to end in contract-errors.test.ts;
 * this holds the rule where no real tool fails after writing on demand.
 */
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { GatewayError } from '../../src/errors'
import { defineTool, noEffects, runTool, WRITES, type ToolContext } from '../../src/tools/core'

const silent = { debug() {}, info() {}, warn() {}, error() {} }

function probeTool(writesFirst: boolean) {
  return defineTool({
    name: 'probe_write',
    title: 'Probe',
    description: 'Fails after optionally writing.',
    input: z.object({}),
    output: z.object({ ok: z.boolean(), error: z.string().nullable() }),
    annotations: WRITES,
    permission: null,
    run: async (_request, context) => {
      if (writesFirst) context.effects.objectsAffected += 1
      throw new GatewayError('NotFoundError', 'The thing is gone.')
    },
    inBandFailure: (failure) => ({ ok: false, error: failure.message }),
  })
}

function contextFor(): ToolContext {
  return { effects: noEffects(), config: { responseMaxBytes: 50_000 }, log: silent } as unknown as ToolContext
}

describe('runTool and in-band failures', () => {
  it('answers a failure before any write in the tool’s own model', async () => {
    const run = await runTool(probeTool(false), {}, contextFor())
    expect(run.response).toEqual({ ok: false, error: 'The thing is gone.' })
    expect(run.failure?.type).toBe('NotFoundError')
  })

  it('keeps a failure after a write an error', async () => {
    await expect(runTool(probeTool(true), {}, contextFor())).rejects.toMatchObject({ type: 'NotFoundError' })
  })
})
