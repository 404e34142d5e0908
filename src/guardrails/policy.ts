/**
 * What an operator adds to the allow-lists for one database (MCP_SQL_FUNCTIONS): user-defined functions,
 * an extension's functions and types (PostGIS), operators. Entries match how the SQL names them:
 *
 * - `name` — an unqualified function or type (`st_distance`, `geometry`), resolved by the server's
 *   search_path as written;
 * - `schema.name` — that schema-qualified function or type (`postgis.st_distance`);
 * - `schema.*` — every function and type qualified with that schema (`postgis.*`);
 * - an operator symbol (`<#>`, `&&&`) — that operator, unqualified.
 *
 * Extensions are trusted as the operator trusts them: the gateway neither bounds nor qualifies them.
 */

export interface FunctionPolicy {
  /** Function or type `schema.name` (schema undefined: written unqualified) is extended for this database. */
  allowsFunction(schema: string | undefined, name: string): boolean
  allowsOperator(schema: string | undefined, symbol: string): boolean
}

export const NO_EXTENSIONS: FunctionPolicy = {
  allowsFunction: () => false,
  allowsOperator: () => false,
}

/** A policy from entries validated by the configuration (MCP_SQL_FUNCTIONS); names are matched case-insensitively when unquoted. */
export function extensionPolicy(entries: readonly string[]): FunctionPolicy {
  if (entries.length === 0) return NO_EXTENSIONS
  const names = new Set<string>()
  const qualified = new Set<string>()
  const schemas = new Set<string>()
  const operators = new Set<string>()
  for (const entry of entries) {
    if (!/^[A-Za-z_]/.test(entry)) operators.add(entry)
    else if (entry.endsWith('.*')) schemas.add(entry.slice(0, -2).toLowerCase())
    else if (entry.includes('.')) qualified.add(entry.toLowerCase())
    else names.add(entry.toLowerCase())
  }
  return {
    allowsFunction: (schema, name) =>
      schema === undefined
        ? names.has(name.toLowerCase())
        : schemas.has(schema.toLowerCase()) || qualified.has(`${schema}.${name}`.toLowerCase()),
    allowsOperator: (schema, symbol) => schema === undefined && operators.has(symbol),
  }
}

/** The extensions MCP_SQL_FUNCTIONS gives one Superset database: its own entries and those under "*". */
export function policyFor(
  functions: Readonly<Record<string, readonly string[]>>,
  databaseName: string,
): FunctionPolicy {
  return extensionPolicy([...(functions['*'] ?? []), ...(functions[databaseName] ?? [])])
}
