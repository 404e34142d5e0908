/**
 * A theme's configuration checked as Superset 6.1 checks it before saving (superset/themes/schemas.py
 * _sanitize_and_validate_theme_config, themes/utils.py): a JSON object whose token and components are
 * objects, hashed and inherit booleans, algorithm a theme mode or a list of them, and fontUrls HTTPS
 * links to the allowed font hosts. Where Superset quietly strips a dangerous value (a javascript: spinner
 * URL, a script in the spinner SVG), the gateway refuses the theme instead and says which value, and it
 * also refuses values that would break out of the CSS a token is written into.
 */
import { GatewayError } from '../../errors'

/** Superset's ThemeMode values (themes/types.py). */
const THEME_MODES = ['default', 'dark', 'system', 'compact']
/** Superset 6.1's THEME_FONTS_MAX_URLS and THEME_FONT_URL_ALLOWED_DOMAINS defaults. */
const MAX_FONT_URLS = 15
const FONT_HOSTS = ['fonts.googleapis.com', 'fonts.gstatic.com', 'use.typekit.net', 'use.typekit.com']
/** The largest configuration accepted, as JSON text. */
export const MAX_THEME_JSON_BYTES = 64 * 1024
const MAX_DEPTH = 8

/** Keys become CSS variable and component names: plain identifiers only. */
const KEY = /^[A-Za-z_$][\w$-]{0,99}$/
/** What lets a token value escape its CSS declaration or load something. */
const CSS_BREAKOUT = /[;{}<>\\]|url\s*\(|expression\s*\(|@import|javascript:|vbscript:|data:/i
/** What Superset's sanitize_svg_content strips from a spinner SVG. */
const SVG_DANGER =
  /<\s*script|javascript:|vbscript:|\bon\w+\s*=|<\s*iframe|<\s*object|<\s*embed|<\s*foreignObject|data:[^,]*,.*javascript/i

function invalid(message: string, path?: string): never {
  throw new GatewayError('ValidationError', message, path === undefined ? {} : { details: { field: path } })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** json_data as given (an object, or JSON text of one) → the object, or a ValidationError. */
export function parseThemeConfig(jsonData: unknown): Record<string, unknown> {
  let config: unknown = jsonData
  if (typeof jsonData === 'string') {
    if (new TextEncoder().encode(jsonData).length > MAX_THEME_JSON_BYTES) {
      invalid(`json_data is larger than ${MAX_THEME_JSON_BYTES} bytes.`, 'json_data')
    }
    try {
      config = JSON.parse(jsonData)
    } catch (err) {
      invalid(`json_data is not valid JSON: ${(err as Error).message}`, 'json_data')
    }
  }
  if (!isObject(config)) invalid('json_data must be a JSON object', 'json_data')
  validateThemeConfig(config)
  return config
}

/** Superset's is_valid_theme and fontUrls checks, and the gateway's refusal of dangerous values. */
export function validateThemeConfig(config: Record<string, unknown>): void {
  if (new TextEncoder().encode(JSON.stringify(config)).length > MAX_THEME_JSON_BYTES) {
    invalid(`json_data is larger than ${MAX_THEME_JSON_BYTES} bytes.`, 'json_data')
  }
  for (const [field, type] of [
    ['token', 'object'],
    ['components', 'object'],
    ['hashed', 'boolean'],
    ['inherit', 'boolean'],
  ] as const) {
    if (!(field in config)) continue
    const value = config[field]
    if (type === 'object' ? !isObject(value) : typeof value !== 'boolean') {
      invalid(
        `Invalid theme configuration structure: ${field} must be ${type === 'object' ? 'an object' : 'a boolean'}.`,
        field,
      )
    }
  }
  if ('algorithm' in config) checkAlgorithm(config.algorithm)
  const token = isObject(config.token) ? config.token : undefined
  if (token !== undefined && token.fontUrls !== undefined && token.fontUrls !== null) {
    checkFontUrls(token.fontUrls)
  }
  walk(config, '', 0)
}

function checkAlgorithm(algorithm: unknown): void {
  const valid =
    (typeof algorithm === 'string' && THEME_MODES.includes(algorithm)) ||
    (Array.isArray(algorithm) &&
      algorithm.every((mode) => typeof mode === 'string' && THEME_MODES.includes(mode)))
  if (!valid) {
    invalid(
      `Invalid theme configuration structure: algorithm must be one of ${THEME_MODES.join(', ')}, or a list of them.`,
      'algorithm',
    )
  }
}

function checkFontUrls(fontUrls: unknown): void {
  if (!Array.isArray(fontUrls)) invalid('fontUrls must be an array', 'token.fontUrls')
  if (fontUrls.length > MAX_FONT_URLS) {
    invalid(`Maximum ${MAX_FONT_URLS} font URLs allowed per theme`, 'token.fontUrls')
  }
  fontUrls.forEach((url: unknown, index) => {
    const path = `token.fontUrls[${index}]`
    if (typeof url !== 'string') invalid(`fontUrls[${index}] must be a string`, path)
    let parsed: URL
    try {
      parsed = new URL(url.trim())
    } catch {
      invalid(`fontUrls[${index}] contains invalid URL`, path)
    }
    if (parsed.protocol !== 'https:') invalid(`fontUrls[${index}] must use HTTPS`, path)
    if (!FONT_HOSTS.includes(parsed.host.toLowerCase())) {
      invalid(
        `fontUrls[${index}] domain '${parsed.host}' not in allowed list (${FONT_HOSTS.join(', ')})`,
        path,
      )
    }
  })
}

/** Every key and string value of the configuration, checked by where it goes. */
function walk(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) invalid(`json_data is nested deeper than ${MAX_DEPTH} levels.`, path)
  if (Array.isArray(value)) {
    if (path === 'token.fontUrls') return
    value.forEach((item, index) => walk(item, `${path}[${index}]`, depth + 1))
    return
  }
  if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const child = path === '' ? key : `${path}.${key}`
      if (!KEY.test(key)) {
        invalid(
          `Theme key ${JSON.stringify(key)} at ${child} is not a plain name (letters, digits, _, $, -).`,
          child,
        )
      }
      walk(item, child, depth + 1)
    }
    return
  }
  if (typeof value === 'string') checkString(value, path)
}

function checkString(value: string, path: string): void {
  const key = path.slice(path.lastIndexOf('.') + 1)
  if (path === 'token.brandSpinnerSvg') {
    if (SVG_DANGER.test(value)) {
      invalid(
        `${path} contains scripting (a script, iframe, object or embed element, an on* handler, or a javascript: URL); remove it.`,
        path,
      )
    }
    return
  }
  if (/(url|href)$/i.test(key)) {
    checkLink(value, path)
    return
  }
  if (CSS_BREAKOUT.test(value)) {
    invalid(
      `${path} contains characters or CSS that could inject styles or load content (;, {, }, <, >, \\, url(, expression(, @import, javascript:, data:); use a plain value.`,
      path,
    )
  }
}

/** A link token (brandLogoUrl, brandSpinnerUrl, brandLogoHref): relative, or http(s). */
function checkLink(value: string, path: string): void {
  const text = value.trim()
  if (text === '') return
  if (/[\s<>"'`\\]/.test(text))
    invalid(`${path} is not a valid URL (it contains spaces, quotes or brackets).`, path)
  if (text.startsWith('/') && !text.startsWith('//')) return
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase()
  if (scheme !== 'http' && scheme !== 'https') {
    invalid(
      `${path} must be an http(s) URL or a path starting with "/"${scheme === undefined ? '' : ` (got a ${scheme}: URL)`}.`,
      path,
    )
  }
}
