/**
 * The tools' ClientChannel (src/tools/core/content.ts) over one MCP request: progress and log messages
 * as notifications related to the request, which the transport answers as an SSE stream once one is
 * due (src/mcp/legacy-stream.ts on the 2025 era, the SDK's `auto` response mode on 2026-07-28).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputResponse,
  type ClientCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server'
import { UNREACHABLE_CLIENT, type ClientChannel, type InputRequest, type InputResponse } from '../tools'

/** The client capability each kind of input request needs (2026-07-28: declared per request). */
const CAPABILITY: Record<InputRequest['kind'], keyof ClientCapabilities> = {
  elicit: 'elicitation',
  sample: 'sampling',
  roots: 'roots',
}

/**
 * - `progress`: only when the request carried a `progressToken` (a client that sent none asked for none:
 *   Basic › Utilities › Progress), and strictly increasing, as that section requires.
 * - `log`: the SDK's request logger, which honours the level: 2026-07-28's per-request
 *   `_meta["io.modelcontextprotocol/logLevel"]` (no level, no messages), or on the 2025 era a
 *   `logging/setLevel` this server instance received, which for a stateless gateway is one in the same
 *   batch (route.ts). No level set on the 2025 era: every message, as the SDK and the spec's default.
 * - `elicit`, `sample`: never (docs/CONFORMANCE.md): the 2025 era would need the client's answer, POSTed
 *   as a separate request, to reach the isolate still running this call, and its capabilities, declared
 *   once at `initialize` to another instance; 2026-07-28 asks through input-required results instead.
 * - `canAsk`, `inputResponse`: 2026-07-28's per-request `_meta` client capabilities and the retry's
 *   `inputResponses`, as the SDK reads them. A 2025 request carries neither: nothing can be asked.
 *
 * A notification that cannot be delivered (the client went away) never fails the call.
 */
export function clientChannel(ctx: ServerContext): ClientChannel {
  const token = ctx.mcpReq._meta?.progressToken
  let last = -Infinity
  return {
    progress: async (progress, total, message) => {
      if (token === undefined || !(progress > last)) return
      last = progress
      await ctx.mcpReq
        .notify({
          method: 'notifications/progress',
          params: {
            progressToken: token,
            progress,
            ...(total === undefined ? {} : { total }),
            ...(message === undefined ? {} : { message }),
          },
        })
        .catch(() => undefined)
    },
    log: async (level, data) => {
      await ctx.mcpReq.log(level, data).catch(() => undefined)
    },
    elicit: UNREACHABLE_CLIENT.elicit,
    sample: UNREACHABLE_CLIENT.sample,
    canAsk: (kind) => {
      // The SDK types the lifted envelope as `{}`; its keys are the reserved `_meta` names.
      const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined
      const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined
      return declared?.[CAPABILITY[kind]] !== undefined
    },
    inputResponse: (key) => responseOf(ctx, key),
  }
}

function responseOf(ctx: ServerContext, key: string): InputResponse {
  const view = inputResponse(ctx.mcpReq.inputResponses, key)
  switch (view.kind) {
    case 'elicit':
      return {
        kind: 'elicit',
        answer: { action: view.action, ...(view.content === undefined ? {} : { content: view.content }) },
      }
    case 'sampling':
      return { kind: 'sample', content: view.result.content }
    case 'roots':
      return {
        kind: 'roots',
        roots: view.roots.map((root) => ({
          uri: root.uri,
          ...(root.name === undefined ? {} : { name: root.name }),
        })),
      }
    case 'missing':
      return { kind: 'missing' }
  }
}
