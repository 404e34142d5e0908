/**
 * The 2025 era's response, JSON unless notifications are due: a transport between the server and the
 * SDK's stateless Streamable HTTP transport (in JSON mode) that turns the exchange into an SSE stream
 * at the first notification related to the request (a progress or log message) and sends the rest of
 * the exchange, the result last, on that stream. Transports › Streamable HTTP › "Sending Messages to
 * the Server": the server either returns `application/json` with one response or opens
 * `text/event-stream`, which "SHOULD eventually include" the response and may carry notifications before
 * it; the client accepts both (the SDK transport answers 406 otherwise).
 *
 * Why not the SDK's SSE mode: it returns the stream before the call runs, so the HTTP headers could not
 * carry what the call decided (remaining quota, Retry-After for a refused call, X-Cache-Status). Here a
 * call that emits nothing (almost every call) answers JSON with them, and a streamed one has them too:
 * the limits and the cache decide before the tool runs and reports anything.
 *
 * Only a body holding one request streams: a 2025-03-26 batch answers JSON, as one array, and its
 * notifications are dropped, as the SDK's JSON mode drops them.
 */
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type Transport,
  type TransportSendOptions,
  type WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server'

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
}

export class UpgradingTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void

  private readonly encoder = new TextEncoder()
  private stream: ReadableStreamDefaultController<Uint8Array> | undefined
  private upgraded!: (response: Response) => void
  private readonly upgrade = new Promise<Response>((resolve) => (this.upgraded = resolve))
  private finished!: () => void
  /** Settles when the exchange is over: its JSON answered, or its stream closed after the result. */
  readonly done = new Promise<void>((resolve) => (this.finished = resolve))

  private readonly inner: WebStandardStreamableHTTPServerTransport
  /** The id of the one request the body holds; undefined for a batch or a notification (never streams). */
  private readonly streamable: string | number | undefined

  constructor(inner: WebStandardStreamableHTTPServerTransport, streamable: string | number | undefined) {
    this.inner = inner
    this.streamable = streamable
  }

  async start(): Promise<void> {
    this.inner.onmessage = (message, extra) => this.onmessage?.(message, extra)
    this.inner.onerror = (error) => this.onerror?.(error)
    this.inner.onclose = () => this.onclose?.()
    await this.inner.start()
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions(versions)
  }

  /** The HTTP response: the inner transport's (JSON, or its own 4xx), or this stream once it opened. */
  async handleRequest(request: Request, parsedBody: unknown): Promise<Response> {
    const answered = this.inner.handleRequest(request, parsedBody === undefined ? undefined : { parsedBody })
    const response = await Promise.race([answered, this.upgrade])
    if (this.stream === undefined) this.finished()
    return response
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)
    if (this.stream === undefined) {
      const related = options?.relatedRequestId
      const due = !isResponse && !isJSONRPCRequest(message) && related !== undefined
      if (!due || this.streamable === undefined || related !== this.streamable) {
        return this.inner.send(message, options)
      }
      this.open()
    }
    this.write(message)
    if (isResponse) this.end()
  }

  async close(): Promise<void> {
    this.end()
    await this.inner.close()
  }

  private open(): void {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.stream = controller
      },
      // The client went away: nothing more can be delivered; the call itself runs to its end.
      cancel: () => this.end(),
    })
    this.upgraded(new Response(body, { status: 200, headers: SSE_HEADERS }))
  }

  private write(message: JSONRPCMessage): void {
    try {
      this.stream?.enqueue(this.encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`))
    } catch {
      // Closed or cancelled: see cancel above.
    }
  }

  private end(): void {
    const stream = this.stream
    if (stream === undefined) return
    try {
      stream.close()
    } catch {
      // Already closed or cancelled.
    }
    this.finished()
  }
}
