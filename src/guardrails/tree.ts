/**
 * PostgreSQL's raw parse tree as libpg-query writes it: a field whose C type is "any node" holds a
 * wrapped node, `{"FuncCall": {…}}`; a field whose C type is one particular struct holds that struct
 * bare (`InsertStmt.relation` is a RangeVar without the wrapper). The walker needs to know those bare
 * fields to tell a child's type; TYPED_FIELDS lists them for the node types of raw parse trees
 * (from PostgreSQL's parsenodes.h / primnodes.h, as @pgsql/types describes them).
 */

/** A wrapped node: exactly one key, the node type. */
export type Node = Record<string, unknown>

export interface TreeNode {
  type: string
  body: Record<string, unknown>
  /** The field of the parent that holds this node (`''` at the top). */
  field: string
}

const TYPED_FIELDS: Record<string, Record<string, string>> = {
  A_Const: { ival: 'Integer', fval: 'Float', boolval: 'Boolean', sval: 'String', bsval: 'BitString' },
  RangeVar: { alias: 'Alias' },
  IntoClause: { rel: 'RangeVar' },
  JsonReturning: { format: 'JsonFormat' },
  JsonValueExpr: { format: 'JsonFormat' },
  JsonIsPredicate: { format: 'JsonFormat' },
  JoinExpr: { join_using_alias: 'Alias', alias: 'Alias' },
  TypeCast: { typeName: 'TypeName' },
  FuncCall: { over: 'WindowDef' },
  RangeSubselect: { alias: 'Alias' },
  RangeFunction: { alias: 'Alias' },
  RangeTableFunc: { alias: 'Alias' },
  RangeTableFuncCol: { typeName: 'TypeName' },
  ColumnDef: { typeName: 'TypeName', identitySequence: 'RangeVar', collClause: 'CollateClause' },
  TableLikeClause: { relation: 'RangeVar' },
  XmlSerialize: { typeName: 'TypeName' },
  PartitionCmd: { name: 'RangeVar', bound: 'PartitionBoundSpec' },
  OnConflictClause: { infer: 'InferClause' },
  CommonTableExpr: { search_clause: 'CTESearchClause', cycle_clause: 'CTECycleClause' },
  JsonOutput: { typeName: 'TypeName', returning: 'JsonReturning' },
  JsonArgument: { val: 'JsonValueExpr' },
  JsonFuncExpr: {
    context_item: 'JsonValueExpr',
    output: 'JsonOutput',
    on_empty: 'JsonBehavior',
    on_error: 'JsonBehavior',
  },
  JsonTable: {
    context_item: 'JsonValueExpr',
    pathspec: 'JsonTablePathSpec',
    on_error: 'JsonBehavior',
    alias: 'Alias',
  },
  JsonTableColumn: {
    typeName: 'TypeName',
    pathspec: 'JsonTablePathSpec',
    format: 'JsonFormat',
    on_empty: 'JsonBehavior',
    on_error: 'JsonBehavior',
  },
  JsonKeyValue: { value: 'JsonValueExpr' },
  JsonParseExpr: { expr: 'JsonValueExpr', output: 'JsonOutput' },
  JsonScalarExpr: { output: 'JsonOutput' },
  JsonSerializeExpr: { expr: 'JsonValueExpr', output: 'JsonOutput' },
  JsonObjectConstructor: { output: 'JsonOutput' },
  JsonArrayConstructor: { output: 'JsonOutput' },
  JsonArrayQueryConstructor: { output: 'JsonOutput', format: 'JsonFormat' },
  JsonAggConstructor: { output: 'JsonOutput', over: 'WindowDef' },
  JsonObjectAgg: { constructor: 'JsonAggConstructor', arg: 'JsonKeyValue' },
  JsonArrayAgg: { constructor: 'JsonAggConstructor', arg: 'JsonValueExpr' },
  InsertStmt: {
    relation: 'RangeVar',
    onConflictClause: 'OnConflictClause',
    returningClause: 'ReturningClause',
    withClause: 'WithClause',
  },
  DeleteStmt: { relation: 'RangeVar', returningClause: 'ReturningClause', withClause: 'WithClause' },
  UpdateStmt: { relation: 'RangeVar', returningClause: 'ReturningClause', withClause: 'WithClause' },
  MergeStmt: { relation: 'RangeVar', returningClause: 'ReturningClause', withClause: 'WithClause' },
  SelectStmt: { intoClause: 'IntoClause', withClause: 'WithClause', larg: 'SelectStmt', rarg: 'SelectStmt' },
  PLAssignStmt: { val: 'SelectStmt' },
  CreateSchemaStmt: { authrole: 'RoleSpec' },
  AlterTableStmt: { relation: 'RangeVar' },
  AlterTableCmd: { newowner: 'RoleSpec' },
  GrantStmt: { grantor: 'RoleSpec' },
  GrantRoleStmt: { grantor: 'RoleSpec' },
  AlterDefaultPrivilegesStmt: { action: 'GrantStmt' },
  CopyStmt: { relation: 'RangeVar' },
  CreateStmt: {
    relation: 'RangeVar',
    partbound: 'PartitionBoundSpec',
    partspec: 'PartitionSpec',
    ofTypename: 'TypeName',
  },
  Constraint: { pktable: 'RangeVar' },
  CreateTableSpaceStmt: { owner: 'RoleSpec' },
  CreateForeignTableStmt: { base: 'CreateStmt' },
  CreateUserMappingStmt: { user: 'RoleSpec' },
  AlterUserMappingStmt: { user: 'RoleSpec' },
  DropUserMappingStmt: { user: 'RoleSpec' },
  CreatePolicyStmt: { table: 'RangeVar' },
  AlterPolicyStmt: { table: 'RangeVar' },
  CreateTrigStmt: { relation: 'RangeVar', constrrel: 'RangeVar' },
  AlterRoleStmt: { role: 'RoleSpec' },
  AlterRoleSetStmt: { role: 'RoleSpec', setstmt: 'VariableSetStmt' },
  CreateSeqStmt: { sequence: 'RangeVar' },
  AlterSeqStmt: { sequence: 'RangeVar' },
  CreateDomainStmt: { typeName: 'TypeName', collClause: 'CollateClause' },
  CreateOpClassStmt: { datatype: 'TypeName' },
  CreateOpClassItem: { name: 'ObjectWithArgs', storedtype: 'TypeName' },
  IndexStmt: { relation: 'RangeVar' },
  CreateFunctionStmt: { returnType: 'TypeName' },
  FunctionParameter: { argType: 'TypeName' },
  AlterFunctionStmt: { func: 'ObjectWithArgs' },
  CallStmt: { funccall: 'FuncCall' },
  RenameStmt: { relation: 'RangeVar' },
  AlterObjectDependsStmt: { relation: 'RangeVar', extname: 'String' },
  AlterObjectSchemaStmt: { relation: 'RangeVar' },
  AlterOwnerStmt: { relation: 'RangeVar', newowner: 'RoleSpec' },
  AlterOperatorStmt: { opername: 'ObjectWithArgs' },
  RuleStmt: { relation: 'RangeVar' },
  CompositeTypeStmt: { typevar: 'RangeVar' },
  ViewStmt: { view: 'RangeVar' },
  AlterDatabaseSetStmt: { setstmt: 'VariableSetStmt' },
  AlterSystemStmt: { setstmt: 'VariableSetStmt' },
  ClusterStmt: { relation: 'RangeVar' },
  VacuumRelation: { relation: 'RangeVar' },
  CreateTableAsStmt: { into: 'IntoClause' },
  RefreshMatViewStmt: { relation: 'RangeVar' },
  ReindexStmt: { relation: 'RangeVar' },
  CreateCastStmt: { sourcetype: 'TypeName', targettype: 'TypeName', func: 'ObjectWithArgs' },
  CreateTransformStmt: { type_name: 'TypeName', fromsql: 'ObjectWithArgs', tosql: 'ObjectWithArgs' },
  ReassignOwnedStmt: { newrole: 'RoleSpec' },
  PublicationTable: { relation: 'RangeVar' },
  PublicationObjSpec: { pubtable: 'PublicationTable' },
}

/** The tree could not be read as libpg-query documents it: never guess, refuse. */
export class UnreadableTreeError extends Error {
  constructor(where: string) {
    super(`unexpected parse tree shape at ${where}`)
    this.name = 'UnreadableTreeError'
  }
}

/** `{"FuncCall": {…}}` → its type and body. */
export function unwrap(node: unknown, field = ''): TreeNode {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new UnreadableTreeError(field)
  const keys = Object.keys(node)
  const type = keys[0]
  if (keys.length !== 1 || type === undefined || !/^[A-Z]/.test(type)) throw new UnreadableTreeError(field)
  const body = (node as Record<string, unknown>)[type]
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UnreadableTreeError(type)
  return { type, body: body as Record<string, unknown>, field }
}

/** The child nodes of a node, in field order: bare struct fields typed, node fields unwrapped. */
export function children(node: TreeNode): TreeNode[] {
  const typed = TYPED_FIELDS[node.type] ?? {}
  const found: TreeNode[] = []
  for (const [field, value] of Object.entries(node.body)) {
    if (typeof value !== 'object' || value === null) continue
    const items = Array.isArray(value) ? value : [value]
    const type = typed[field]
    for (const item of items) {
      // An empty node stands for a NIL list element (SELECT DISTINCT's distinctClause is `[{}]`).
      if (isEmptyObject(item)) continue
      if (type !== undefined) {
        if (typeof item !== 'object' || item === null || Array.isArray(item))
          throw new UnreadableTreeError(`${node.type}.${field}`)
        found.push({ type, body: item as Record<string, unknown>, field })
      } else {
        found.push(unwrap(item, `${node.type}.${field}`))
      }
    }
  }
  return found
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  )
}

/** The strings of a name list (`[{"String": {"sval": "pg_catalog"}}, …]`). */
export function nameList(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  return value.map((item) => {
    const node = unwrap(item, 'name')
    if (node.type === 'String' && typeof node.body.sval === 'string') return node.body.sval
    if (node.type === 'A_Star') return '*'
    throw new UnreadableTreeError(`name list (${node.type})`)
  })
}

export function stringField(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  return typeof value === 'string' ? value : undefined
}

export function numberField(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field]
  return typeof value === 'number' ? value : undefined
}
