/**
 * One walk over a statement's parse tree that collects what the statement touches (every relation,
 * whatever role it plays: read, written, created, copied from, inherited, referenced) and refuses what
 * SQL written through the gateway may not do: call a function, name a type or use an operator outside
 * the allow-lists, use a construct the checker does not know, hide a subquery where none is allowed, or
 * carry a `$n` placeholder.
 *
 * Superset-authored SQL (saved metrics, calculated columns, RLS clauses, virtual datasets made in
 * Superset) is walked in trusted mode: its relations are still collected (for row-level security) and
 * placeholders still refused, but what it calls is trusted as Superset trusts it.
 */
import {
  ALLOWED_FUNCTIONS,
  ALLOWED_OPERATORS,
  ALLOWED_SAMPLE_METHODS,
  ALLOWED_TYPES,
  refusalReason,
} from './allow-list'
import type { FunctionPolicy } from './policy'
import { checkSizes } from './sizes'
import { children, nameList, numberField, stringField, unwrap, type TreeNode } from './tree'
import { GuardrailViolation } from './violation'

export { GuardrailViolation } from './violation'
export type { ViolationKind } from './violation'

export type RelationRole = 'read' | 'write' | 'create'

export interface RelationUse {
  /** As written; undefined when unqualified. */
  schema: string | undefined
  name: string
  /** p: permanent, u: unlogged, t: temporary. */
  persistence: string
  /** The alias written after the name, if any. */
  alias: string | undefined
  role: RelationRole
  /** Byte offset of the (qualified) name in the parsed text. */
  location: number
}

export interface InspectOptions {
  /** Superset-authored SQL: relations collected, calls not checked. */
  trusted: boolean
  /** Superset's ALLOW_ADHOC_SUBQUERY: off for ad-hoc chart expressions. */
  allowSubqueries: boolean
  policy: FunctionPolicy
  /** The request clock, for sizing date series that end at now(). */
  now: number
}

export interface Inspection {
  relations: RelationUse[]
  /** Byte offsets of unqualified built-in function names, to be run as `pg_catalog.<name>`. */
  qualifyAt: number[]
  /** Contains INSERT/UPDATE/DELETE/MERGE somewhere (a data-modifying WITH). */
  modifiesData: boolean
  /** Creates a relation (CREATE …, SELECT INTO). */
  createsRelation: boolean
}

const STATEMENTS = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'CreateStmt',
  'CreateTableAsStmt',
  'ViewStmt',
  'IndexStmt',
  'CreateSeqStmt',
])

const DATA_MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'])

/** Node types whose meaning the checker knows (beyond those it handles one by one below). */
const KNOWN_NODES = new Set([
  ...STATEMENTS,
  'A_ArrayExpr',
  'A_Const',
  'A_Indices',
  'A_Indirection',
  'A_Star',
  'Alias',
  'BitString',
  'BoolExpr',
  'Boolean',
  'BooleanTest',
  'CTECycleClause',
  'CTESearchClause',
  'CaseExpr',
  'CaseWhen',
  'CoalesceExpr',
  'CollateClause',
  'ColumnDef',
  'ColumnRef',
  'CommonTableExpr',
  'Constraint',
  'DefElem',
  'Float',
  'GroupingFunc',
  'GroupingSet',
  'IndexElem',
  'InferClause',
  'Integer',
  'IntoClause',
  'JoinExpr',
  'JsonAggConstructor',
  'JsonArgument',
  'JsonArrayAgg',
  'JsonArrayConstructor',
  'JsonArrayQueryConstructor',
  'JsonBehavior',
  'JsonFormat',
  'JsonFuncExpr',
  'JsonIsPredicate',
  'JsonKeyValue',
  'JsonObjectAgg',
  'JsonObjectConstructor',
  'JsonOutput',
  'JsonParseExpr',
  'JsonReturning',
  'JsonScalarExpr',
  'JsonSerializeExpr',
  'JsonTable',
  'JsonTableColumn',
  'JsonTablePathSpec',
  'JsonValueExpr',
  'List',
  'LockingClause',
  'MergeSupportFunc',
  'MergeWhenClause',
  'MinMaxExpr',
  'MultiAssignRef',
  'NamedArgExpr',
  'NullTest',
  'OnConflictClause',
  'PartitionBoundSpec',
  'PartitionElem',
  'PartitionRangeDatum',
  'PartitionSpec',
  'RangeFunction',
  'RangeSubselect',
  'ResTarget',
  'ReturningClause',
  'ReturningOption',
  'RowExpr',
  'SQLValueFunction',
  'SetToDefault',
  'SortBy',
  'String',
  'TableLikeClause',
  'TypeCast',
  'WindowDef',
  'WithClause',
])

/** Readable names for constructs the checker refuses, in messages. */
const CONSTRUCT_NAMES: Record<string, string> = {
  XmlExpr: 'XML functions (XMLPARSE, XMLELEMENT …)',
  XmlSerialize: 'XMLSERIALIZE',
  RangeTableFunc: 'XMLTABLE',
  CurrentOfExpr: 'WHERE CURRENT OF',
}

const RELATION_ROLES: Record<string, RelationRole> = {
  'InsertStmt.relation': 'write',
  'UpdateStmt.relation': 'write',
  'DeleteStmt.relation': 'write',
  'MergeStmt.relation': 'write',
  'IndexStmt.relation': 'write',
  'CreateStmt.relation': 'create',
  'IntoClause.rel': 'create',
  'ViewStmt.view': 'create',
  'CreateSeqStmt.sequence': 'create',
  'ColumnDef.identitySequence': 'create',
}

/** The nodes whose relations PostgreSQL may resolve to a WITH query in scope. */
const CTE_READERS = new Set([
  'SelectStmt',
  'JoinExpr',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'RangeTableSample',
  'RangeFunction',
])

/** SQL-standard value functions that name the connection's role or database. */
const IDENTITY_VALUES: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_ROLE: 'CURRENT_ROLE',
  SVFOP_CURRENT_USER: 'CURRENT_USER',
  SVFOP_USER: 'USER',
  SVFOP_SESSION_USER: 'SESSION_USER',
  SVFOP_CURRENT_CATALOG: 'CURRENT_CATALOG',
}

/** PostgreSQL's system columns; no user column may be named like one. */
const SYSTEM_COLUMNS = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid'])

const OPERATOR_KINDS = new Set([
  'AEXPR_OP',
  'AEXPR_OP_ANY',
  'AEXPR_OP_ALL',
  'AEXPR_DISTINCT',
  'AEXPR_NOT_DISTINCT',
  'AEXPR_NULLIF',
  'AEXPR_IN',
  'AEXPR_LIKE',
  'AEXPR_ILIKE',
  'AEXPR_SIMILAR',
])

/** Inspects one node (a statement, or an expression) and everything under it. */
export function inspect(root: TreeNode, options: InspectOptions): Inspection {
  const result: Inspection = { relations: [], qualifyAt: [], modifiesData: false, createsRelation: false }
  new Walker(options, result).visit(root, undefined, [])
  // After the walk: a call that is not allowed at all is refused for that, not for its size.
  if (!options.trusted) checkSizes(root, options.now)
  return result
}

class Walker {
  private readonly options: InspectOptions
  private readonly result: Inspection

  constructor(options: InspectOptions, result: Inspection) {
    this.options = options
    this.result = result
  }

  visit(node: TreeNode, parent: TreeNode | undefined, scopes: readonly ReadonlySet<string>[]): void {
    const { type, body } = node
    if (type === 'ParamRef') {
      throw new GuardrailViolation(
        'placeholder',
        `$${numberField(body, 'number') ?? ''}`,
        'parameter placeholders are not allowed',
      )
    }
    if (DATA_MODIFYING.has(type)) this.result.modifiesData = true
    if (type === 'IntoClause') this.result.createsRelation = true
    if (!this.options.trusted) this.checkNode(node, parent)
    switch (type) {
      case 'RangeVar':
        this.relation(node, parent, scopes)
        break
      case 'FuncCall':
        if (!this.options.trusted) this.functionCall(node)
        break
      case 'SubLink':
        if (!this.options.allowSubqueries) {
          throw new GuardrailViolation(
            'subquery',
            'a subquery',
            'subqueries are not allowed in ad-hoc expressions (Superset ALLOW_ADHOC_SUBQUERY is off)',
          )
        }
        break
      default:
        break
    }
    const withClause = body.withClause as Record<string, unknown> | undefined
    if (withClause !== undefined) {
      this.withScope(node, withClause, scopes)
      return
    }
    for (const child of children(node)) this.visit(child, node, scopes)
  }

  /** WITH: each binding sees the ones before it (all of them when recursive); the statement sees all. */
  private withScope(
    node: TreeNode,
    withClause: Record<string, unknown>,
    scopes: readonly ReadonlySet<string>[],
  ): void {
    const ctes = (Array.isArray(withClause.ctes) ? withClause.ctes : []).map((item) =>
      unwrap(item, 'WithClause.ctes'),
    )
    const names = ctes.map((cte) => stringField(cte.body, 'ctename') ?? '')
    const recursive = withClause.recursive === true
    ctes.forEach((cte, index) => {
      const visible = new Set(recursive ? names : names.slice(0, index))
      this.visit(cte, node, [...scopes, visible])
    })
    const inner = [...scopes, new Set(names)]
    const rest: TreeNode = {
      type: node.type,
      field: node.field,
      body: { ...node.body, withClause: undefined },
    }
    for (const child of children(rest)) this.visit(child, node, inner)
  }

  private relation(
    node: TreeNode,
    parent: TreeNode | undefined,
    scopes: readonly ReadonlySet<string>[],
  ): void {
    const schema = stringField(node.body, 'schemaname')
    const name = stringField(node.body, 'relname') ?? ''
    if (stringField(node.body, 'catalogname') !== undefined) {
      throw new GuardrailViolation(
        'relation',
        name,
        'database-qualified names (database.schema.table) are not supported',
      )
    }
    const role = parent === undefined ? 'read' : (RELATION_ROLES[`${parent.type}.${node.field}`] ?? 'read')
    // A WITH query answers to its name only where a query reads a relation (a FROM item, a join, UPDATE
    // FROM, DELETE USING, MERGE USING); a target (INSERT, UPDATE, DELETE, MERGE INTO, SELECT INTO) or a
    // DDL position always names the real relation, whatever WITH query shares its name.
    const readsQueryName = role === 'read' && parent !== undefined && CTE_READERS.has(parent.type)
    if (schema === undefined && readsQueryName && scopes.some((scope) => scope.has(name))) return
    if (role === 'create') this.result.createsRelation = true
    this.result.relations.push({
      schema,
      name,
      persistence: stringField(node.body, 'relpersistence') ?? 'p',
      alias: stringField((node.body.alias as Record<string, unknown> | undefined) ?? {}, 'aliasname'),
      role,
      location: numberField(node.body, 'location') ?? -1,
    })
  }

  /** Node-level rules of untrusted SQL: known constructs only, allowed types, operators, sample methods. */
  private checkNode(node: TreeNode, parent: TreeNode | undefined): void {
    const { type, body } = node
    switch (type) {
      case 'TypeName':
        this.typeName(body)
        return
      case 'A_Expr':
        this.operator(body)
        return
      case 'RangeTableSample': {
        const method = nameList(body.method)
        const last = method[method.length - 1] ?? ''
        if (method.length !== 1 || !ALLOWED_SAMPLE_METHODS.has(last)) {
          throw new GuardrailViolation(
            'construct',
            `TABLESAMPLE ${method.join('.')}`,
            'only the BERNOULLI and SYSTEM methods are allowed',
          )
        }
        return
      }
      case 'DefElem':
        if (parent?.type === 'CreateSeqStmt' && stringField(body, 'defname') === 'owned_by') {
          throw new GuardrailViolation(
            'construct',
            'CREATE SEQUENCE … OWNED BY',
            'tying a sequence to a table is not supported',
          )
        }
        return
      case 'SQLValueFunction': {
        const op = stringField(body, 'op') ?? ''
        if (IDENTITY_VALUES[op] !== undefined) {
          throw new GuardrailViolation(
            'function',
            IDENTITY_VALUES[op],
            'it reveals the database role or database the gateway connects as (every gateway user shares them)',
          )
        }
        return
      }
      case 'ColumnRef': {
        const fields = Array.isArray(body.fields) ? body.fields : []
        const last = fields.length === 0 ? undefined : unwrap(fields[fields.length - 1], 'ColumnRef.fields')
        const column = last?.type === 'String' ? stringField(last.body, 'sval') : undefined
        if (column !== undefined && SYSTEM_COLUMNS.has(column)) {
          throw new GuardrailViolation(
            'construct',
            `the system column ${column}`,
            'system columns reveal where rows are stored and which transactions wrote them',
          )
        }
        return
      }
      case 'FuncCall':
      case 'RangeVar':
      case 'SubLink':
        return
      default:
        if (!KNOWN_NODES.has(type)) {
          throw new GuardrailViolation(
            'construct',
            CONSTRUCT_NAMES[type] ?? describeNode(type),
            "the gateway's SQL checker does not allow this construct",
          )
        }
    }
  }

  private functionCall(node: TreeNode): void {
    const names = nameList(node.body.funcname)
    const name = names[names.length - 1] ?? ''
    const schema = names.length >= 2 ? names[names.length - 2] : undefined
    const written = names.join('.')
    if (names.length > 2) {
      throw new GuardrailViolation(
        'function',
        `${written}()`,
        'database-qualified function names are not supported',
      )
    }
    if (this.options.policy.allowsFunction(schema, name)) return
    const builtIn = (schema === undefined || schema === 'pg_catalog') && ALLOWED_FUNCTIONS.has(name)
    if (!builtIn) {
      const why =
        schema !== undefined && schema !== 'pg_catalog'
          ? `it is defined in the schema "${schema}", not built into PostgreSQL; only built-in functions may be called unless the gateway's operator allows this one (MCP_SQL_FUNCTIONS)`
          : refusalReason(name)
      throw new GuardrailViolation('function', `${written}()`, why)
    }
    if (schema === undefined) this.result.qualifyAt.push(numberField(node.body, 'location') ?? -1)
  }

  private typeName(body: Record<string, unknown>): void {
    if (body.pct_type === true)
      throw new GuardrailViolation('type', '%TYPE', 'type references by column are not allowed')
    const names = nameList(body.names)
    const name = names[names.length - 1] ?? ''
    const schema = names.length >= 2 ? names[names.length - 2] : undefined
    if (names.length <= 2 && (schema === undefined || schema === 'pg_catalog') && ALLOWED_TYPES.has(name))
      return
    if (names.length <= 2 && this.options.policy.allowsFunction(schema, name)) return
    const why = /^reg/.test(name)
      ? 'casts to reg* types look catalog objects up by name (use the catalog tools instead)'
      : name === 'xml'
        ? 'XML processing is not allowed (it can reach external entities)'
        : "it is not one of PostgreSQL's built-in value types the gateway allows"
    throw new GuardrailViolation('type', `the type ${names.join('.')}`, why)
  }

  private operator(body: Record<string, unknown>): void {
    const kind = stringField(body, 'kind') ?? ''
    if (!OPERATOR_KINDS.has(kind)) return
    const names = nameList(body.name)
    const symbol = names[names.length - 1] ?? ''
    const schema = names.length >= 2 ? names[names.length - 2] : undefined
    if (
      names.length <= 2 &&
      (schema === undefined || schema === 'pg_catalog') &&
      ALLOWED_OPERATORS.has(symbol)
    )
      return
    if (names.length <= 2 && this.options.policy.allowsOperator(schema, symbol)) return
    throw new GuardrailViolation(
      'operator',
      `the operator ${names.length === 1 ? symbol : `OPERATOR(${names.join('.')})`}`,
      "it is not one of PostgreSQL's built-in operators",
    )
  }
}

/** `VariableSetStmt` → "VariableSet", `XmlExpr` → "Xml expression": for messages only. */
function describeNode(type: string): string {
  return type.replace(/Stmt$/, ' statement').replace(/Expr$/, ' expression')
}
