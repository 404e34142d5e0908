/**
 * How long a value of a statement can get, known before it runs. A repeated or padded string is
 * allocated whole, an aggregate holds its rows, and a set-returning function in FROM materialises its
 * rows before an outer LIMIT applies, so a statement timeout alone would let one short statement
 * allocate up to PostgreSQL's 1 GB value limit per row (`repeat(repeat('x', 100000), 1000)`).
 *
 * Every expression of SQL written through the gateway is sized as `stored × W + generated`: W is the
 * width of a value the statement reads and the gateway cannot know (a column, a value of a stored
 * table), `generated` counts characters made from constants. Column references resolve through the
 * FROM items, WITH queries and subqueries they read, so what one query generates counts where another
 * reads it. A call is refused when its result could exceed MAX_GENERATED_LENGTH generated characters,
 * repeat what it reads more than MAX_STORED_FACTOR times, or multiply two values of unknown width.
 * Each function's rule is an upper bound of what PostgreSQL's implementation can return.
 */
import {
  formatSpecs,
  integerConstant,
  parseDecimal,
  MAX_SERIES_ROWS,
  seriesBound,
  textConstant,
  type FormatSpec,
} from './bounds'
import { ALLOWED_FUNCTIONS, FUNCTION_CATEGORIES } from './allow-list'
import { children, nameList, stringField, unwrap, type TreeNode } from './tree'
import { GuardrailViolation } from './violation'

/** At most this many characters made from constants in one value. */
export const MAX_GENERATED_LENGTH = 100_000
/** A value may hold at most this many copies of values the statement reads. */
export const MAX_STORED_FACTOR = 100
/** An aggregate (string_agg, array_agg, json_agg…) may add at most this many generated characters per row. */
export const MAX_AGGREGATED_ROW_LENGTH = 1_000

export { MAX_SERIES_ROWS }

interface Size {
  readonly stored: number
  readonly generated: number
  /** Copies of a recursive WITH query's own value, while its recursive term is sized. */
  readonly self: number
}

const EMPTY: Size = { stored: 0, generated: 0, self: 0 }
/** A value the statement reads: a column of a table, a row of a function over one. */
const STORED: Size = { stored: 1, generated: 0, self: 0 }
/** A recursive WITH query's own value, as its recursive term reads it. */
const SELF: Size = { stored: 0, generated: 0, self: 1 }
/** Numbers, dates, booleans, hashes: a fixed width whatever the arguments. */
const SCALAR: Size = { stored: 0, generated: 130, self: 0 }
const BOOLEAN: Size = { stored: 0, generated: 5, self: 0 }

const fixed = (generated: number): Size => ({ stored: 0, generated, self: 0 })

function plus(...sizes: readonly Size[]): Size {
  return sizes.reduce(
    (sum, size) => ({
      stored: sum.stored + size.stored,
      generated: sum.generated + size.generated,
      self: sum.self + size.self,
    }),
    EMPTY,
  )
}

function widest(...sizes: readonly Size[]): Size {
  return sizes.reduce(
    (max, size) => ({
      stored: Math.max(max.stored, size.stored),
      generated: Math.max(max.generated, size.generated),
      self: Math.max(max.self, size.self),
    }),
    EMPTY,
  )
}

function scaled(size: Size, factor: number): Size {
  return { stored: size.stored * factor, generated: size.generated * factor, self: size.self * factor }
}

/** `a × b`; undefined when both depend on values of unknown width (W² has no bound). */
function product(a: Size, b: Size): Size | undefined {
  if (a.stored + a.self > 0 && b.stored + b.self > 0) return undefined
  return {
    stored: a.stored * b.generated + b.stored * a.generated,
    generated: a.generated * b.generated,
    self: a.self * b.generated + b.self * a.generated,
  }
}

interface Scope {
  /** The widest value a column reference can name here. */
  columns: Size
  /** What each FROM alias here returns: its columns (`v.a`) and its whole row (`v::text`). */
  sources: ReadonlyMap<string, Shape>
  /** WITH queries visible here, by name. */
  ctes: ReadonlyMap<string, Shape>
}

/** What a query or FROM item returns: its widest value, and all its values of one row together. */
interface Shape {
  widest: Size
  row: Size
}

const STORED_ROW: Shape = { widest: STORED, row: STORED }

function withSource(scope: Scope, alias: string | undefined, shape: Shape): Scope {
  const sources = new Map(scope.sources)
  if (alias !== undefined) sources.set(alias, shape)
  return { ...scope, columns: widest(scope.columns, shape.widest), sources }
}

function aliasOf(item: TreeNode): string | undefined {
  const alias = (item.body.alias ?? item.body.join_using_alias) as Record<string, unknown> | undefined
  return alias === undefined ? undefined : stringField(alias, 'aliasname')
}

/** Sizes every expression of `root` (untrusted SQL) and refuses the first that has no bound. */
export function checkSizes(root: TreeNode, now: number): void {
  new Sizer(now).node(root, { columns: STORED, sources: new Map(), ctes: new Map() })
}

const QUERY_TYPES = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'])
/** Fields a query's own walk handles: its WITH, its FROM items, a set operation's branches. */
const QUERY_FIELDS = new Set(['withClause', 'fromClause', 'usingClause', 'sourceRelation', 'larg', 'rarg'])

class Sizer {
  private readonly now: number

  constructor(now: number) {
    this.now = now
  }

  node(node: TreeNode, scope: Scope): Size {
    switch (node.type) {
      case 'A_Const':
        return literalSize(node.body)
      case 'ColumnRef':
        return this.columnRef(node, scope)
      case 'A_Star':
        return scope.columns
      case 'FuncCall':
        return this.call(node, scope)
      case 'A_Expr':
        return this.operator(node, scope)
      case 'TypeCast':
        return this.cast(node, scope)
      case 'SubLink':
        return this.subLink(node, scope)
      case 'CaseExpr':
        return this.caseExpr(node, scope)
      case 'CoalesceExpr':
      case 'MinMaxExpr':
        return widest(...this.all(children(node), scope))
      case 'BoolExpr':
      case 'NullTest':
      case 'BooleanTest':
        this.all(children(node), scope)
        return BOOLEAN
      case 'SQLValueFunction':
      case 'GroupingFunc':
      case 'MergeSupportFunc':
        return SCALAR
      case 'A_ArrayExpr':
      case 'RowExpr': {
        // Array and record text quote and escape their elements.
        const elements = this.all(children(node), scope)
        return capped(
          node.type === 'RowExpr' ? 'ROW(…)' : 'ARRAY[…]',
          plus(scaled(plus(...elements), 2), fixed(3 * elements.length + 2)),
        )
      }
      case 'JsonObjectConstructor':
      case 'JsonArrayConstructor':
      case 'JsonScalarExpr':
        return capped(
          'JSON_OBJECT/JSON_ARRAY',
          plus(scaled(plus(...this.all(children(node), scope)), 6), fixed(4)),
        )
      case 'JsonObjectAgg':
      case 'JsonArrayAgg':
      case 'JsonArrayQueryConstructor':
        return aggregated(
          node.type === 'JsonObjectAgg' ? 'JSON_OBJECTAGG' : 'JSON_ARRAYAGG',
          scaled(plus(...this.all(children(node), scope)), 6),
        )
      case 'JsonFuncExpr': {
        const pathspec = children(node).find((child) => fieldOf(child) === 'pathspec')
        const refusal = jsonPathRefusal(pathspec)
        if (refusal !== undefined)
          throw new GuardrailViolation('function', 'JSON_QUERY/JSON_VALUE/JSON_EXISTS', refusal)
        return plus(scaled(widest(...this.all(children(node), scope)), 6), fixed(64))
      }
      case 'JsonTablePathSpec': {
        const path = children(node).find((child) => fieldOf(child) === 'string')
        const refusal = jsonPathRefusal(path)
        if (refusal !== undefined) throw new GuardrailViolation('function', 'JSON_TABLE', refusal)
        return EMPTY
      }
      default:
        if (QUERY_TYPES.has(node.type)) return this.query(node, scope)
        return plus(...this.all(children(node), scope))
    }
  }

  private all(nodes: readonly TreeNode[], scope: Scope): Size[] {
    return nodes.map((child) => this.node(child, scope))
  }

  /** A query: its WITH queries, then its FROM items, then its expressions; the widest value it returns. */
  private query(node: TreeNode, outer: Scope): Size {
    return this.queryShape(node, outer).widest
  }

  /** What a query returns: its widest value, and a whole row of it (all its values together). */
  private queryShape(node: TreeNode, outer: Scope): Shape {
    const body = node.body
    let scope: Scope = { ...outer, ctes: this.withQueries(body.withClause, outer) }
    for (const item of fromItems(node)) scope = this.fromItem(item, scope)
    if (node.type === 'SelectStmt' && body.op !== undefined && body.op !== 'SETOP_NONE') {
      const branch = (side: unknown): Shape =>
        this.queryShape({ type: 'SelectStmt', field: '', body: side as Record<string, unknown> }, scope)
      this.rest(node, scope, new Set())
      const [left, right] = [branch(body.larg), branch(body.rarg)]
      return { widest: widest(left.widest, right.widest), row: widest(left.row, right.row) }
    }
    if (node.type !== 'SelectStmt') {
      this.rest(node, scope, new Set())
      return { widest: EMPTY, row: EMPTY }
    }
    const returned = this.rest(node, scope, new Set(['targetList']))
    // VALUES: each list is a row.
    const rows = children(node)
      .filter((child) => fieldOf(child) === 'valuesLists')
      .map((list) => this.all(children(list), scope))
    return {
      widest: widest(...returned, ...rows.flat()),
      row: widest(plus(...returned), ...rows.map((values) => plus(...values))),
    }
  }

  /** Sizes the fields a query's walk has not handled; returns the sizes of those in `returning`. */
  private rest(node: TreeNode, scope: Scope, returning: ReadonlySet<string>): Size[] {
    const returned: Size[] = []
    for (const child of children(node)) {
      if (QUERY_FIELDS.has(fieldOf(child)) || fieldOf(child) === 'valuesLists') continue
      const size = this.node(child, scope)
      if (returning.has(fieldOf(child))) returned.push(size)
    }
    return returned
  }

  private withQueries(withClause: unknown, outer: Scope): ReadonlyMap<string, Shape> {
    const ctes = new Map(outer.ctes)
    if (withClause === undefined) return ctes
    const list = (withClause as Record<string, unknown>).ctes
    for (const item of Array.isArray(list) ? list : []) {
      const cte = unwrap(item, 'WithClause.ctes')
      const query = cte.body.ctequery === undefined ? undefined : unwrap(cte.body.ctequery)
      const name = stringField(cte.body, 'ctename') ?? ''
      const recursive = (withClause as Record<string, unknown>).recursive === true
      ctes.set(
        name,
        query === undefined
          ? STORED_ROW
          : recursive
            ? this.recursiveShape(name, query, { ...outer, ctes })
            : this.queryShape(query, { ...outer, ctes }),
      )
    }
    return ctes
  }

  /**
   * A recursive WITH query: its recursive term reads the query's own rows of the round before, so a
   * value it multiplies (`s || s`) doubles every round and one it extends grows every round. The term
   * may use its own value at most once and add at most MAX_AGGREGATED_ROW_LENGTH generated characters
   * per round; its rows are then as wide as a stored value (docs/SECURITY.md).
   */
  private recursiveShape(name: string, query: TreeNode, scope: Scope): Shape {
    const body = query.body
    const own = new Map(scope.ctes)
    own.set(name, { widest: SELF, row: SELF })
    if (query.type !== 'SelectStmt' || body.op === undefined || body.op === 'SETOP_NONE') {
      return this.queryShape(query, { ...scope, ctes: own })
    }
    const start = this.queryShape(
      { type: 'SelectStmt', field: '', body: body.larg as Record<string, unknown> },
      scope,
    )
    const round = this.queryShape(
      { type: 'SelectStmt', field: '', body: body.rarg as Record<string, unknown> },
      { ...scope, ctes: own },
    )
    const subject = `the recursive WITH query ${name}`
    if (round.widest.self > 1) {
      throw new GuardrailViolation(
        'function',
        subject,
        'each round uses its own value more than once, so its values could double every round',
      )
    }
    if (round.widest.generated > MAX_AGGREGATED_ROW_LENGTH) {
      throw new GuardrailViolation(
        'function',
        subject,
        `each round could add ${Math.round(round.widest.generated).toLocaleString('en-US')} generated characters; at most ${MAX_AGGREGATED_ROW_LENGTH.toLocaleString('en-US')}`,
      )
    }
    return { widest: widest(STORED, start.widest), row: widest(STORED, start.row) }
  }

  /** The scope after a FROM item: its values reachable by column references, its row by its alias. */
  private fromItem(item: TreeNode, scope: Scope): Scope {
    switch (item.type) {
      case 'RangeVar': {
        const name = stringField(item.body, 'relname') ?? ''
        const cte = stringField(item.body, 'schemaname') === undefined ? scope.ctes.get(name) : undefined
        return withSource(scope, aliasOf(item) ?? name, cte ?? STORED_ROW)
      }
      case 'JoinExpr': {
        let inner = scope
        for (const side of children(item)) {
          if (fieldOf(side) === 'larg' || fieldOf(side) === 'rarg') inner = this.fromItem(side, inner)
        }
        for (const other of children(item)) {
          if (fieldOf(other) !== 'larg' && fieldOf(other) !== 'rarg') this.node(other, inner)
        }
        const alias = aliasOf(item)
        const joined = plus(...[...inner.sources.values()].map((source) => source.row))
        return alias === undefined ? inner : withSource(inner, alias, { widest: inner.columns, row: joined })
      }
      case 'RangeSubselect': {
        const subquery = children(item).find((child) => fieldOf(child) === 'subquery')
        const shape = subquery === undefined ? STORED_ROW : this.queryShape(subquery, scope)
        return withSource(scope, aliasOf(item), { widest: widest(STORED, shape.widest), row: shape.row })
      }
      case 'RangeFunction': {
        const sizes = this.all(children(item), scope)
        return withSource(scope, aliasOf(item), {
          widest: widest(STORED, ...sizes),
          row: plus(STORED, ...sizes),
        })
      }
      default: {
        const size = widest(STORED, this.node(item, scope))
        return withSource(scope, aliasOf(item), { widest: size, row: size })
      }
    }
  }

  /** A column reference: a column, or a whole row named by its FROM alias (`v`, `v.*`). */
  private columnRef(node: TreeNode, scope: Scope): Size {
    const fields = (Array.isArray(node.body.fields) ? node.body.fields : []).map((field) =>
      unwrap(field, 'ColumnRef.fields'),
    )
    const names = fields.map((field) => (field.type === 'String' ? stringField(field.body, 'sval') : '*'))
    const [first, second] = names
    const source = first === undefined ? undefined : scope.sources.get(first)
    if (source !== undefined && (names.length === 1 || (names.length === 2 && second === '*'))) {
      const row = names.length === 1 ? widest(scope.columns, source.row) : source.row
      return capped(`the whole row ${first}`, row)
    }
    // alias.column: that FROM item's widest value.
    if (source !== undefined && names.length === 2) return source.widest
    return scope.columns
  }

  private caseExpr(node: TreeNode, scope: Scope): Size {
    const results: Size[] = []
    for (const child of children(node)) {
      if (child.type === 'CaseWhen') {
        for (const part of children(child)) {
          const size = this.node(part, scope)
          if (fieldOf(part) === 'result') results.push(size)
        }
      } else {
        const size = this.node(child, scope)
        if (fieldOf(child) === 'defresult') results.push(size)
      }
    }
    return widest(...results)
  }

  private subLink(node: TreeNode, scope: Scope): Size {
    const kind = stringField(node.body, 'subLinkType') ?? ''
    let returned = EMPTY
    for (const child of children(node)) {
      const size = this.node(child, scope)
      if (fieldOf(child) === 'subselect') returned = size
    }
    if (kind === 'EXPR_SUBLINK' || kind === 'MULTIEXPR_SUBLINK' || kind === 'CTE_SUBLINK') return returned
    if (kind === 'ARRAY_SUBLINK') return aggregated('ARRAY(…)', returned)
    return BOOLEAN
  }

  private cast(node: TreeNode, scope: Scope): Size {
    let inner = EMPTY
    for (const child of children(node)) {
      const size = this.node(child, scope)
      if (fieldOf(child) === 'arg') inner = size
    }
    const typeName = (node.body.typeName as Record<string, unknown> | undefined) ?? {}
    const names = nameList(typeName.names)
    return capped(`the cast to ${names[names.length - 1] ?? 'a type'}`, castSize(typeName, inner))
  }

  private operator(node: TreeNode, scope: Scope): Size {
    const left = node.body.lexpr === undefined ? EMPTY : this.node(unwrap(node.body.lexpr), scope)
    const right = node.body.rexpr === undefined ? EMPTY : this.node(unwrap(node.body.rexpr), scope)
    const kind = stringField(node.body, 'kind') ?? ''
    if (kind === 'AEXPR_NULLIF') return left
    if (kind !== 'AEXPR_OP') return BOOLEAN
    const names = nameList(node.body.name)
    const symbol = names[names.length - 1] ?? ''
    const subject = `the operator ${symbol}`
    // A prefix operator (-, @, |/, ~, !!) returns a value of its operand's size.
    if (node.body.lexpr === undefined) return capped(subject, plus(right, fixed(4)))
    // && is AND of two text search queries as well as an overlap test.
    if (symbol === '&&') return capped(subject, plus(left, right, fixed(5)))
    if (BOOLEAN_OPERATORS.has(symbol)) return BOOLEAN
    if (PART_OPERATORS.has(symbol)) return left
    if (symbol === '^') return capped(subject, power(left, unwrap(node.body.rexpr)))
    if (symbol === '/') return capped(subject, plus(left, right, fixed(20)))
    return capped(subject, plus(left, right))
  }

  private call(node: TreeNode, scope: Scope): Size {
    const names = nameList(node.body.funcname)
    const name = names[names.length - 1] ?? ''
    const argNodes = (Array.isArray(node.body.args) ? node.body.args : []).map((arg) =>
      unwrap(arg, 'FuncCall.args'),
    )
    const args = argNodes.map((arg) => this.node(arg, scope))
    for (const child of children(node)) if (fieldOf(child) !== 'args') this.node(child, scope)
    const subject = `${names.join('.')}()`
    const builtIn = (names.length === 1 || names[0] === 'pg_catalog') && ALLOWED_FUNCTIONS.has(name)
    // Functions the operator added (MCP_SQL_FUNCTIONS) are trusted as the operator trusts them.
    if (!builtIn) return widest(STORED, plus(...args))
    const size = callSize({ name, argNodes, args, now: this.now, variadic: node.body.func_variadic === true })
    if (typeof size === 'string') throw new GuardrailViolation('function', subject, size)
    return capped(subject, size)
  }
}

/**
 * A cast's result. Without the source type the gateway assumes the widest conversion: bytea prints two
 * hex digits per byte and text becomes up to four bytes per character; numeric input may carry an
 * exponent of up to 1,000 digits; char(n) and bit(n) pad to n.
 */
function castSize(typeName: Record<string, unknown>, inner: Size): Size {
  const names = nameList(typeName.names)
  const type = names[names.length - 1] ?? ''
  const typmods = (Array.isArray(typeName.typmods) ? typeName.typmods : []).map((mod) =>
    integerConstant(unwrap(mod)),
  )
  const isArray = Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0
  if (!isArray && (type === 'bpchar' || type === 'bit') && typmods[0] !== undefined) {
    return capped(
      `the type ${type === 'bit' ? 'bit' : 'char'}(${typmods[0]})`,
      widest(inner, fixed(Number(typmods[0]))),
    )
  }
  if (!isArray && FIXED_WIDTH_TYPES.has(type)) return SCALAR
  if (!isArray && type === 'numeric') return plus(inner, fixed(1002))
  return plus(scaled(inner, type === 'bytea' ? 4 : 2), fixed(4))
}

/** FROM items of a query (UPDATE … FROM, DELETE … USING, MERGE … USING included). */
function fromItems(node: TreeNode): TreeNode[] {
  return children(node).filter((child) =>
    ['fromClause', 'usingClause', 'sourceRelation'].includes(fieldOf(child)),
  )
}

/** The parent's field that holds a node (children() writes wrapped ones as `Parent.field`). */
function fieldOf(node: TreeNode): string {
  return node.field.slice(node.field.lastIndexOf('.') + 1)
}

function literalSize(body: Record<string, unknown>): Size {
  const sval = body.sval as Record<string, unknown> | undefined
  if (sval !== undefined) return fixed((stringField(sval, 'sval') ?? '').length)
  const fval = body.fval as Record<string, unknown> | undefined
  if (fval !== undefined) {
    // 1e1000 prints as 1,001 digits.
    const text = stringField(fval, 'fval') ?? ''
    const value = parseDecimal(text)
    return fixed(value === undefined ? text.length : value.units.toString().length + value.scale + 3)
  }
  const bsval = body.bsval as Record<string, unknown> | undefined
  if (bsval !== undefined) return fixed((stringField(bsval, 'bsval') ?? '').length)
  return fixed(20)
}

/** The result, or the refusal when it exceeds what one value may hold. */
function capped(subject: string, size: Size | undefined): Size {
  if (size === undefined) {
    throw new GuardrailViolation(
      'function',
      subject,
      'it multiplies two values the gateway cannot size before the statement runs',
    )
  }
  if (size.generated > MAX_GENERATED_LENGTH) {
    throw new GuardrailViolation(
      'function',
      subject,
      `its result could hold ${Math.round(size.generated).toLocaleString('en-US')} characters; one value may hold at most ${MAX_GENERATED_LENGTH.toLocaleString('en-US')} made from constants`,
    )
  }
  if (size.stored > MAX_STORED_FACTOR) {
    throw new GuardrailViolation(
      'function',
      subject,
      `its result could hold ${Math.round(size.stored).toLocaleString('en-US')} copies of a value it reads; at most ${MAX_STORED_FACTOR}`,
    )
  }
  return size
}

/** What an aggregate of rows of `row` size holds: as wide as a stored value, from a bounded row. */
function aggregated(subject: string, row: Size): Size {
  if (row.generated > MAX_AGGREGATED_ROW_LENGTH) {
    throw new GuardrailViolation(
      'function',
      subject,
      `it aggregates rows of up to ${Math.round(row.generated).toLocaleString('en-US')} generated characters each; at most ${MAX_AGGREGATED_ROW_LENGTH.toLocaleString('en-US')} per row`,
    )
  }
  return STORED
}

const BOOLEAN_OPERATORS = new Set([
  '=',
  '<>',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '~~',
  '!~~',
  '~~*',
  '!~~*',
  '~',
  '~*',
  '!~',
  '!~*',
  '^@',
  '@>',
  '<@',
  '?',
  '?|',
  '?&',
  '@?',
  '@@',
  '@@@',
  '&<',
  '&>',
  '-|-',
  '<<=',
  '>>=',
])
/** Operators whose result is part of their left operand (a JSON element, a path removed, a root). */
const PART_OPERATORS = new Set(['->', '->>', '#>', '#>>', '#-', '|/', '||/', '@'])

/** Types whose values have a small fixed width, whatever was cast. */
const FIXED_WIDTH_TYPES = new Set([
  'bool',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'uuid',
  'money',
  'inet',
  'cidr',
  'macaddr',
  'macaddr8',
])

/**
 * Functions returning a number, a boolean, a date or a hash: SCALAR whatever their arguments. Every
 * date/time and network function on the allow-list is one, and so is every function named after a
 * fixed-width type; the rest are named here.
 */
const SCALAR_FUNCTIONS = new Set([
  ...(FUNCTION_CATEGORIES['date and time'] ?? []),
  ...(FUNCTION_CATEGORIES['identifiers and network'] ?? []),
  ...(FUNCTION_CATEGORIES['type conversion'] ?? []).filter((name) => name !== 'numeric' && name !== 'text'),
  'ascii',
  'bit_length',
  'char_length',
  'character_length',
  'length',
  'octet_length',
  'position',
  'strpos',
  'regexp_count',
  'regexp_instr',
  'regexp_like',
  'starts_with',
  'is_normalized',
  'md5',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'chr',
  'to_hex',
  'to_bin',
  'to_oct',
  'array_length',
  'array_lower',
  'array_upper',
  'array_ndims',
  'array_dims',
  'array_position',
  'cardinality',
  'json_array_length',
  'jsonb_array_length',
  'json_typeof',
  'jsonb_typeof',
  'num_nulls',
  'num_nonnulls',
  'jsonb_path_exists',
  'jsonb_path_exists_tz',
  'jsonb_path_match',
  'jsonb_path_match_tz',
  'isempty',
  'lower_inc',
  'lower_inf',
  'upper_inc',
  'upper_inf',
  'ts_rank',
  'ts_rank_cd',
  'numnode',
  'count',
  'avg',
  'corr',
  'covar_pop',
  'covar_samp',
  'cume_dist',
  'dense_rank',
  'percent_rank',
  'rank',
  'row_number',
  'ntile',
  'regr_avgx',
  'regr_avgy',
  'regr_count',
  'regr_intercept',
  'regr_r2',
  'regr_slope',
  'regr_sxx',
  'regr_sxy',
  'regr_syy',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'var_pop',
  'var_samp',
  'variance',
  'bool_and',
  'bool_or',
  'every',
  'acos',
  'acosd',
  'acosh',
  'asin',
  'asind',
  'asinh',
  'atan',
  'atan2',
  'atan2d',
  'atand',
  'atanh',
  'cbrt',
  'cos',
  'cosd',
  'cosh',
  'cot',
  'cotd',
  'degrees',
  'radians',
  'sin',
  'sind',
  'sinh',
  'tan',
  'tand',
  'tanh',
  'ln',
  'log',
  'log10',
  'sqrt',
  'pi',
  'random',
  'random_normal',
  'sign',
  'scale',
  'min_scale',
  'bit_count',
  'get_bit',
  'get_byte',
  'width_bucket',
  'to_date',
  'to_number',
  'to_timestamp',
  'generate_subscripts',
])

/** One element of their (first) argument: an element, a row of it, a part, the argument chosen. */
const PART_FUNCTIONS = new Set([
  'unnest',
  'string_to_table',
  'regexp_split_to_table',
  'json_array_elements',
  'json_array_elements_text',
  'jsonb_array_elements',
  'jsonb_array_elements_text',
  'json_each',
  'json_each_text',
  'jsonb_each',
  'jsonb_each_text',
  'json_object_keys',
  'jsonb_object_keys',
  'json_to_record',
  'json_to_recordset',
  'jsonb_to_record',
  'jsonb_to_recordset',
  'json_extract_path',
  'json_extract_path_text',
  'jsonb_extract_path',
  'jsonb_extract_path_text',
  'max',
  'min',
  'any_value',
  'mode',
  'first_value',
  'last_value',
  'nth_value',
  'lag',
  'lead',
  'percentile_disc',
  'split_part',
  'substr',
  'substring',
  'left',
  'right',
  'btrim',
  'ltrim',
  'rtrim',
  'translate',
  'reverse',
  'regexp_substr',
  'array_remove',
  'array_sample',
  'array_shuffle',
  'trim_array',
  'strip',
  'ts_delete',
  'ts_filter',
  'json_strip_nulls',
  'jsonb_strip_nulls',
  'decode',
  'to_ascii',
  'unistr',
  'abs',
  'ceil',
  'ceiling',
  'floor',
  'trim_scale',
])

/** Aggregates that hold every row they read. */
const ROW_AGGREGATES = new Set([
  'string_agg',
  'array_agg',
  'json_agg',
  'json_agg_strict',
  'jsonb_agg',
  'jsonb_agg_strict',
  'json_object_agg',
  'json_object_agg_strict',
  'json_object_agg_unique',
  'json_object_agg_unique_strict',
  'jsonb_object_agg',
  'jsonb_object_agg_strict',
  'jsonb_object_agg_unique',
  'jsonb_object_agg_unique_strict',
  'range_agg',
])

/** Functions whose text can be longer than their input by a fixed factor (escapes, expansions). */
const EXPANDING_FUNCTIONS: Readonly<Record<string, number>> = {
  // Unicode normalisation can expand one character to 18 (NFKD of U+FDFA).
  normalize: 18,
  // Case mapping may expand a character (ß → SS).
  upper: 3,
  lower: 3,
  initcap: 3,
  // \x escapes, base64, "escape"'s \ooo.
  encode: 4,
  convert: 4,
  convert_from: 4,
  convert_to: 4,
  // Doubled quotes and backslashes, E'' and the quotes themselves.
  quote_ident: 2,
  quote_literal: 2,
  quote_nullable: 2,
  // Array and JSON text: quotes, escapes (\u0001 is six characters), separators.
  string_to_array: 6,
  regexp_split_to_array: 6,
  array_to_json: 6,
  json_build_array: 6,
  json_build_object: 6,
  json_object: 6,
  jsonb_build_array: 6,
  jsonb_build_object: 6,
  jsonb_object: 6,
  row_to_json: 6,
  to_json: 6,
  to_jsonb: 6,
  to_tsvector: 6,
  to_tsquery: 6,
  plainto_tsquery: 6,
  phraseto_tsquery: 6,
  websearch_to_tsquery: 6,
  querytree: 6,
  setweight: 6,
  tsquery_phrase: 6,
  array_to_tsvector: 6,
  tsvector_to_array: 6,
}

type CallSize = Size | undefined | string

interface Call {
  name: string
  argNodes: readonly TreeNode[]
  args: readonly Size[]
  now: number
  variadic: boolean
}

type SizeRule = (call: Call) => CallSize

const argument = (call: Call, index: number): Size => call.args[index] ?? EMPTY
const allArgs = (call: Call): Size => plus(...call.args)

/** Functions the size of whose result has a rule of its own. */
const SIZE_RULES: Readonly<Record<string, SizeRule>> = {
  generate_series: (call) => {
    const bound = seriesBound(call.argNodes, call.now)
    return bound.ok ? SCALAR : bound.why
  },
  repeat: (call) => {
    const count = integerConstant(call.argNodes[1])
    return count === undefined
      ? 'repeat needs a constant count'
      : scaled(argument(call, 0), nonNegative(count))
  },
  lpad: padded,
  rpad: padded,
  format: (call) => formatSize(call.argNodes[0], call.args.slice(1)),
  concat: allArgs,
  concat_ws: (call) => {
    const [separator = EMPTY, ...rest] = call.args
    // VARIADIC: one separator per element of the array, at most one element per character and one more.
    if (call.variadic) {
      const values = rest[0] ?? EMPTY
      return orUnsized(product(separator, plus(values, fixed(1))), (separators) => plus(values, separators))
    }
    return plus(...rest, scaled(separator, Math.max(0, rest.length - 1)))
  },
  array_to_string: (call) => {
    const array = argument(call, 0)
    const joins = product(plus(argument(call, 1), argument(call, 2)), plus(array, fixed(1)))
    return orUnsized(joins, (size) => plus(array, size))
  },
  // Every character of the text may be replaced by the whole replacement.
  replace: (call) => product(argument(call, 0), plus(argument(call, 2), fixed(1))),
  regexp_replace: (call) => regexpReplaceSize(call.argNodes[2], argument(call, 0), argument(call, 2)),
  power: (call) => power(argument(call, 0), call.argNodes[1]),
  pow: (call) => power(argument(call, 0), call.argNodes[1]),
  exp: (call) => {
    const exponent = integerConstant(call.argNodes[0])
    return exponent === undefined
      ? widest(STORED, fixed(40))
      : fixed(Math.abs(Number(exponent)) * 0.4343 + 40)
  },
  round: rounded,
  trunc: rounded,
  // Each template character gives at most ten (RN: up to 15 for two).
  to_char: (call) => plus(argument(call, 0), scaled(argument(call, 1), 10), fixed(10)),
  ts_headline: headlineSize,
  regexp_match: matchesSize,
  regexp_matches: matchesSize,
  jsonb_path_query: pathQuerySize,
  jsonb_path_query_tz: pathQuerySize,
  jsonb_path_query_first: pathQuerySize,
  jsonb_path_query_first_tz: pathQuerySize,
  jsonb_path_query_array: pathQuerySize,
  jsonb_path_query_array_tz: pathQuerySize,
}

/** Results no longer than their arguments together (and a few characters of their own). */
const ADDITIVE_FUNCTIONS = new Set([
  'overlay',
  'array_append',
  'array_prepend',
  'array_cat',
  'array_replace',
  'jsonb_set',
  'jsonb_set_lax',
  'jsonb_insert',
  'numrange',
  'int4range',
  'int8range',
  'daterange',
  'tsrange',
  'tstzrange',
  'nummultirange',
  'int4multirange',
  'int8multirange',
  'datemultirange',
  'tsmultirange',
  'tstzmultirange',
  'range_merge',
  'range_intersect_agg',
  'sum',
  'bit_and',
  'bit_or',
  'bit_xor',
  'mod',
  'div',
  'gcd',
  'lcm',
  'numeric',
  'text',
  'percentile_cont',
  'like_escape',
  'similar_to_escape',
  'array_positions',
])

/** Every built-in function the size analysis knows; the tests hold it to the allow-list. */
export const SIZED_FUNCTIONS: ReadonlySet<string> = new Set([
  ...ROW_AGGREGATES,
  ...SCALAR_FUNCTIONS,
  ...PART_FUNCTIONS,
  ...Object.keys(EXPANDING_FUNCTIONS),
  ...Object.keys(SIZE_RULES),
  ...ADDITIVE_FUNCTIONS,
])

/** The size of one call's result from its arguments' sizes; a string is why it cannot be sized. */
function callSize(call: Call): CallSize {
  const { name, args } = call
  if (ROW_AGGREGATES.has(name)) return aggregated(`${name}()`, plus(...args))
  if (SCALAR_FUNCTIONS.has(name)) return SCALAR
  if (PART_FUNCTIONS.has(name)) return widest(...args)
  if (ADDITIVE_FUNCTIONS.has(name)) return plus(...args, fixed(4))
  const factor = EXPANDING_FUNCTIONS[name]
  if (factor !== undefined) return plus(scaled(plus(...args), factor), fixed(2 * args.length + 2))
  const rule = SIZE_RULES[name]
  return rule === undefined ? `the gateway does not know the size of what ${name}() returns` : rule(call)
}

/**
 * ts_headline([config,] document, query [, options]): each word of the document may be wrapped in the
 * options' StartSel and StopSel (`<b>`, `</b>` by default); the query only chooses which.
 */
function headlineSize(call: Call): CallSize {
  const count = call.argNodes.length
  // A constant last argument of three or more may be the options (a query is usually a call).
  const hasOptions = count === 4 || (count === 3 && textConstant(call.argNodes[count - 1]) !== undefined)
  const options = hasOptions ? argument(call, count - 1) : EMPTY
  // The document is the first or second argument (after a configuration); take the wider.
  const document = count <= 2 ? argument(call, 0) : widest(argument(call, 0), argument(call, 1))
  return product(document, plus(options, fixed(8)))
}

/** regexp_match(es)(text, pattern): one copy of the text per capture group (nested groups overlap), as an array. */
function matchesSize(call: Call): CallSize {
  const pattern = textConstant(call.argNodes[1])
  if (pattern === undefined) return `${call.name} needs a constant pattern`
  const groups = (pattern.match(/\(/g) ?? []).length + 1
  return orUnsized(product(argument(call, 0), fixed(groups)), (copies) =>
    plus(scaled(copies, 2), fixed(2 * groups + 2)),
  )
}

/** SQL/JSON path queries: a constant path that cannot multiply its input; keyvalue() adds keys. */
function pathQuerySize(call: Call): CallSize {
  const refusal = jsonPathRefusal(call.argNodes[1])
  return refusal ?? plus(scaled(argument(call, 0), 6), fixed(64))
}

/**
 * Why a JSON path cannot be sized: not a constant, or able to return an item many times over
 * (`[0,0]` lists, `to` ranges, `**`) — in lax mode `[0,0]` doubles its input at every step.
 */
function jsonPathRefusal(node: TreeNode | undefined): string | undefined {
  const path = textConstant(node)
  if (path === undefined) return 'it needs a constant JSON path'
  if (path.includes('**')) return 'JSON paths with ** (any depth) are not allowed'
  if (/\[[^\]]*(,|\bto\b)[^\]]*\]/i.test(path))
    return 'JSON paths with subscript lists or ranges ([0,1], [0 to 5]) are not allowed'
  return undefined
}

function padded(call: Call): CallSize {
  const length = integerConstant(call.argNodes[1])
  return length === undefined ? `${call.name} needs a constant length` : fixed(nonNegative(length))
}

/** round(x, n) / trunc(x, n) write n decimals (up to numeric's 2,000 when n is not a constant). */
function rounded(call: Call): CallSize {
  const digits = call.argNodes[1] === undefined ? 0n : integerConstant(call.argNodes[1])
  return plus(argument(call, 0), fixed(digits === undefined ? 2000 : nonNegative(digits) + 2))
}

function nonNegative(value: bigint): number {
  return value < 0n ? 0 : Number(value)
}

function orUnsized(size: Size | undefined, then: (size: Size) => Size): Size | undefined {
  return size === undefined ? undefined : then(size)
}

/**
 * power(x, n) or x ^ n: the digits of x times n for a constant n; otherwise a value no wider than
 * numeric's own maximum, counted as a stored value's width.
 */
function power(base: Size, exponentNode: TreeNode | undefined): Size {
  const exponent = integerConstant(exponentNode)
  if (exponent === undefined) return widest(STORED, fixed(40))
  const magnitude = exponent < 0n ? -exponent : exponent
  return plus(scaled(base, Math.max(1, Number(magnitude))), fixed(40))
}

/** format(): its literal text, and for each specification the wider of its width and an argument. */
function formatSize(templateNode: TreeNode | undefined, args: readonly Size[]): CallSize {
  const template = textConstant(templateNode)
  if (template === undefined) return 'format needs a constant format string'
  const specs = formatSpecs(template)
  if (typeof specs === 'string') return `its format string cannot be read: ${specs}`
  if (specs.some((spec: FormatSpec) => spec.width === '*'))
    return 'format widths taken from arguments (*) are not allowed'
  const argument = widest(...args)
  // %I and %L quote their argument, doubling quotes at most.
  const fields = specs.map((spec) =>
    widest(fixed(spec.width as number), spec.type === 's' ? argument : plus(scaled(argument, 2), fixed(3))),
  )
  return plus(fixed(template.length), ...fields)
}

/**
 * regexp_replace(text, pattern, replacement…): each match (at most one per character, and one more
 * at the end) is replaced by the replacement, whose back references copy parts of matches: together no
 * more than the text once per reference.
 */
function regexpReplaceSize(replacementNode: TreeNode | undefined, text: Size, replacement: Size): CallSize {
  const literal = textConstant(replacementNode)
  const matches = plus(text, fixed(1))
  if (literal === undefined) {
    const inserted = product(matches, replacement)
    const copied = product(text, replacement)
    return inserted === undefined || copied === undefined ? undefined : plus(text, inserted, copied)
  }
  const references = (literal.match(/\\(?:[1-9&]|\\)/g) ?? []).filter((ref) => ref !== '\\\\').length
  return plus(text, scaled(matches, literal.length), scaled(text, references))
}
