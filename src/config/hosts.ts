/**
 * Host names as the Host allow-list compares them (MCP_ALLOWED_HOSTS, DNS-rebinding protection): one parser
 * for the configured entries and for what a request names, so both sides are normalised the same way.
 */

/** A host name and, when one was given, its port. */
export interface HostName {
  /** Lowercase, IDNA-encoded, IPv4 in dotted decimal, IPv6 in brackets, no trailing dot. */
  hostname: string
  port: number | undefined
}

/** `name`, `name:port`, `[ipv6]` or `[ipv6]:port`; anything with a scheme, path, user or space is not a host. */
const HOST_AND_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/?#@[\]\\]+)(?::(\d{1,5}))?$/

/** What an HTTP client may put in a Host header, by RFC 1035: longer is not a name anyone serves. */
const MAX_HOST_LENGTH = 253 + ':65535'.length

/**
 * `text` as a host name and port, or undefined when it is none. The WHATWG URL parser does the
 * normalising (case, punycode, `127.1` → `127.0.0.1`, compressed IPv6), so every spelling of one address
 * compares equal; the trailing dot of a fully qualified name (`mcp.example.com.`) names the same host.
 */
export function parseHost(text: string): HostName | undefined {
  if (text.length > MAX_HOST_LENGTH) return undefined
  const match = HOST_AND_PORT.exec(text.trim())
  if (match === null) return undefined
  const [, name = '', portText] = match
  let hostname: string
  try {
    hostname = new URL(`http://${name}`).hostname
  } catch {
    return undefined
  }
  if (hostname.endsWith('.')) hostname = hostname.slice(0, -1)
  if (hostname === '' || hostname.endsWith('.')) return undefined
  const port = portText === undefined ? undefined : Number(portText)
  if (port !== undefined && port > 65_535) return undefined
  return { hostname, port }
}

/** `host` as it is written in a URL's authority (`[::1]:8787`, `mcp.example.com`). */
export function formatHost({ hostname, port }: HostName): string {
  return port === undefined ? hostname : `${hostname}:${port}`
}
