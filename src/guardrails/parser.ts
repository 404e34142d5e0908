/**
 * PostgreSQL's own parser and scanner (libpg-query: the server's grammar compiled to WebAssembly), so
 * the gateway reads SQL exactly as the server will: the same statements, function names, relations and
 * string literals. Loaded once per isolate, on the first call that needs it (about 6 ms), and used
 * synchronously afterwards.
 *
 * The package's own entry point fetches its .wasm file at import time, which workerd forbids; the
 * gateway imports the compiled module instead (wrangler bundles `.wasm` imports as CompiledWasm) and
 * hands it to Emscripten through its `instantiateWasm` hook.
 */
import createModule, { type PgQueryWasm } from 'libpg-query/wasm/libpg-query.js'
import wasm from 'libpg-query/wasm/libpg-query.wasm'
import { GatewayError } from '../errors'
import type { Node } from './tree'

/** Longest SQL text the gateway parses (characters); longer text is refused before parsing. */
export const MAX_SQL_LENGTH = 262_144

export interface RawStatement {
  stmt: Node
  /** Byte offset of the statement in the text (absent: 0). */
  stmt_location?: number
  /** Byte length (absent or 0: to the end of the text). */
  stmt_len?: number
}

export interface ScanToken {
  /** Byte offsets. */
  start: number
  end: number
  text: string
  /** The scanner's token name: IDENT, SCONST, SQL_COMMENT, C_COMMENT, ASCII_59 (";"), UNKNOWN (keywords)… */
  tokenName: string
  /** NO_KEYWORD, UNRESERVED_KEYWORD, COL_NAME_KEYWORD, TYPE_FUNC_NAME_KEYWORD, RESERVED_KEYWORD. */
  keywordName: string
}

export interface SqlParser {
  /** The statements of `sql` as PostgreSQL's raw parse tree; throws SqlSyntaxError. */
  parse(sql: string): RawStatement[]
  /** Every token of `sql`, comments included, as PostgreSQL's scanner reads them. */
  scan(sql: string): ScanToken[]
}

/** SQL the server's grammar does not accept (reason INVALID_SQL_ERROR, as Superset names it). */
export class SqlSyntaxError extends GatewayError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ValidationError', message, { details: { reason: 'INVALID_SQL_ERROR', ...details } })
  }
}

let loading: Promise<SqlParser> | undefined

/** The parser, loaded on first use (one instance per isolate). */
export function sqlParser(): Promise<SqlParser> {
  loading ??= instantiate().catch((err: unknown) => {
    loading = undefined
    throw err
  })
  return loading
}

async function instantiate(): Promise<SqlParser> {
  const module = await withEmscriptenShims(() =>
    createModule({
      instantiateWasm(imports, done) {
        void WebAssembly.instantiate(wasm, imports).then(done)
        return {}
      },
    }),
  )
  return { parse: (sql) => parseWith(module, sql), scan: (sql) => scanWith(module, sql) }
}

/**
 * The glue reads `self.location.href` (it sees WorkerGlobalScope) and `__dirname` (nodejs_compat makes
 * it believe it runs in Node) synchronously when the factory is called; neither exists in workerd.
 */
function withEmscriptenShims<T>(create: () => T): T {
  const scope = globalThis as { location?: unknown; __dirname?: unknown }
  const hadLocation = 'location' in scope
  const hadDirname = '__dirname' in scope
  if (!hadLocation) scope.location = { href: 'https://gateway.invalid/' }
  if (!hadDirname) scope.__dirname = '/'
  try {
    return create()
  } finally {
    if (!hadLocation) delete scope.location
    if (!hadDirname) delete scope.__dirname
  }
}

function assertParsable(sql: string): void {
  if (sql.length > MAX_SQL_LENGTH) {
    throw new SqlSyntaxError(
      `The SQL is ${sql.length} characters long; the gateway checks at most ${MAX_SQL_LENGTH}. Split it or shorten it.`,
    )
  }
  if (sql.includes('\u0000')) throw new SqlSyntaxError('The SQL contains a NUL character.')
}

function withCString<T>(module: PgQueryWasm, text: string, use: (pointer: number) => T): T {
  const size = module.lengthBytesUTF8(text) + 1
  const pointer = module._malloc(size)
  try {
    module.stringToUTF8(text, pointer, size)
    return use(pointer)
  } finally {
    module._free(pointer)
  }
}

function parseWith(module: PgQueryWasm, sql: string): RawStatement[] {
  assertParsable(sql)
  const output = withCString(module, sql, (pointer): { tree: string } | { error: string; cursor: number } => {
    const result = module._wasm_parse_query_raw(pointer)
    if (result === 0) throw new Error('libpg-query could not allocate a parse result')
    try {
      const treePointer = module.getValue(result, 'i32')
      const errorPointer = module.getValue(result + 8, 'i32')
      if (errorPointer !== 0) {
        const message = module.UTF8ToString(module.getValue(errorPointer, 'i32'))
        const cursor = module.getValue(errorPointer + 16, 'i32')
        return { error: message, cursor }
      }
      return { tree: module.UTF8ToString(treePointer) }
    } finally {
      module._wasm_free_parse_result(result)
    }
  })
  if ('error' in output) {
    const position = output.cursor > 0 ? charIndex(sql, output.cursor - 1) : undefined
    throw new SqlSyntaxError(
      `The SQL is not valid PostgreSQL: ${output.error}${position === undefined ? '' : ` (at character ${position + 1})`}.`,
      position === undefined ? {} : { position: position + 1 },
    )
  }
  const tree = JSON.parse(output.tree) as { stmts?: RawStatement[] }
  return tree.stmts ?? []
}

function scanWith(module: PgQueryWasm, sql: string): ScanToken[] {
  assertParsable(sql)
  const output = withCString(module, sql, (pointer) => {
    const result = module._wasm_scan(pointer)
    try {
      return module.UTF8ToString(result)
    } finally {
      module._wasm_free_string(result)
    }
  })
  if (!output.startsWith('{')) throw new SqlSyntaxError(`The SQL cannot be read: ${output}.`)
  return (JSON.parse(output) as { tokens?: ScanToken[] }).tokens ?? []
}

/**
 * The parser and scanner report UTF-8 byte offsets; JavaScript strings index UTF-16 code units. This
 * maps one to the other for a given text (identity when the text is ASCII).
 */
export class Offsets {
  private readonly text: string
  private readonly table: Int32Array | undefined

  constructor(text: string) {
    this.text = text
    // eslint-disable-next-line no-control-regex -- the ASCII range, on purpose
    this.table = /^[\u0000-\u007f]*$/.test(text) ? undefined : byteToCharTable(text)
  }

  /** The string index of a byte offset (the length for an offset at or past the end). */
  char(byteOffset: number): number {
    if (this.table === undefined) return Math.min(byteOffset, this.text.length)
    return this.table[Math.min(Math.max(0, byteOffset), this.table.length - 1)]!
  }
}

function byteToCharTable(text: string): Int32Array {
  const encoder = new TextEncoder()
  const table: number[] = []
  let index = 0
  for (const character of text) {
    const bytes = encoder.encode(character).length
    for (let byte = 0; byte < bytes; byte++) table.push(index)
    index += character.length
  }
  table.push(index)
  return Int32Array.from(table)
}

function charIndex(text: string, byteOffset: number): number {
  return new Offsets(text).char(byteOffset)
}
