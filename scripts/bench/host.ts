/**
 * Runs one local stack (startStack: the WebSocket bridge, the development identity provider and
 * `wrangler dev`) in a process of its own, so the bridge's event loop never shares a thread with the
 * load generator. Driven over IPC by environment.ts:
 *
 *   parent → { type: 'start', options, users }   child → { type: 'ready', url, wranglerPid, tokens }
 *   parent → { type: 'stop' }                     child stops everything and exits
 *
 * The child also stops everything when the parent goes away.
 */
import { startStack, type Stack, type StackOptions } from '../lib/stack.ts'

export type HostOptions = Omit<StackOptions, 'onOutput'>

export type HostRequest =
  { type: 'start'; options: HostOptions; users: string[]; tokenTtlSeconds: number } | { type: 'stop' }

export type HostReply =
  | { type: 'ready'; url: string; wranglerPid: number | undefined; tokens: Record<string, string> }
  | { type: 'output'; line: string }
  | { type: 'failed'; message: string }

function send(reply: HostReply): void {
  process.send?.(reply)
}

let stack: Stack | undefined
let stopping = false

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    await stack?.stop().catch(() => undefined)
  }
  process.exit(code)
}

process.on('message', (request: HostRequest) => {
  if (request.type === 'stop') {
    void stop(0)
    return
  }
  void (async () => {
    try {
      stack = await startStack({
        ...request.options,
        onOutput: (line) => send({ type: 'output', line }),
      })
      const tokens: Record<string, string> = {}
      const mint = stack.auth.mintToken
      if (mint !== undefined) {
        for (const user of request.users) tokens[user] = await mint({ user, ttl: request.tokenTtlSeconds })
      }
      send({ type: 'ready', url: stack.url, wranglerPid: stack.wranglerPid, tokens })
    } catch (err) {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
      await stop(1)
    }
  })()
})
process.on('disconnect', () => void stop(0))
process.on('SIGTERM', () => void stop(0))
process.on('SIGINT', () => void stop(0))
