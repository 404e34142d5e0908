/**
 * RFC 6570 level 1 templates (`test://template/{id}/data`), matched against a URI: each variable stands
 * for one non-empty path segment, decoded. Undefined when the URI is not of the template.
 */
export function matchUriTemplate(template: string, uri: string): Record<string, string> | undefined {
  const names: string[] = []
  const pattern = template
    .split(/(\{[A-Za-z0-9_]+\})/)
    .map((part) => {
      const variable = /^\{([A-Za-z0-9_]+)\}$/.exec(part)
      if (variable === null) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      names.push(variable[1]!)
      return '([^/?#]+)'
    })
    .join('')
  const match = new RegExp(`^${pattern}$`).exec(uri)
  if (match === null) return undefined
  try {
    return Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]))
  } catch {
    // A malformed percent-escape is no URI of the template.
    return undefined
  }
}
