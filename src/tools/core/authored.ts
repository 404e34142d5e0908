/**
 * Which fields of a tool's answer hold text that users wrote in Superset (titles, descriptions, SQL,
 * verbose names, stored form data, and everything drawn from them), as opposed to the gateway's own text
 * (schemas, examples, hints, operator names). Tools declare them; the MCP layer marks exactly those fields
 * as untrusted content and nothing else. The declaration is a list of paths into the answer:
 *
 * - `a.b` names the key `b` of the object at key `a`; arrays on the way are looked through (`charts.slice_name`
 *   is the `slice_name` of every item of `charts`);
 * - `*` stands for any one key (`filters.*` is every value of a record);
 * - the value at a path is authored as a whole: a string is one block, and every string inside an object or
 *   array (parsed form data, a list of tags) is a block of its own. Keys are never marked.
 *
 * Paths come from two places: fields of the output schema wrapped in `authored(...)`, and a tool's
 * `authored` list for answers whose fields the schema leaves open (the model rows of list and get tools:
 * `authoredColumnPaths`).
 */
import type * as z from 'zod'
import type { ModelSpec } from '../../superset'
import type { AnyToolDefinition } from './definition'

const AUTHORED = new WeakSet<z.ZodType>()

/** Marks `schema` (a field of an output schema) as holding user-written text; returns it unchanged. */
export function authored<Schema extends z.ZodType>(schema: Schema): Schema {
  AUTHORED.add(schema)
  return schema
}

interface Def {
  type: string
  shape?: Record<string, z.ZodType>
  element?: z.ZodType
  innerType?: z.ZodType
  options?: readonly z.ZodType[]
  left?: z.ZodType
  right?: z.ZodType
  valueType?: z.ZodType
  in?: z.ZodType
  out?: z.ZodType
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def

/** The paths of `authored(...)` fields in `schema`, relative to its root ('' for the root itself). */
export function authoredSchemaPaths(schema: z.ZodType): string[] {
  const found = new Set<string>()
  const seen = new Set<z.ZodType>()
  const visit = (node: z.ZodType | undefined, path: string): void => {
    if (node === undefined || seen.has(node)) return
    if (AUTHORED.has(node)) {
      found.add(path)
      return
    }
    seen.add(node)
    const def = defOf(node)
    const child = (key: string) => (path === '' ? key : `${path}.${key}`)
    switch (def.type) {
      case 'object':
        for (const [key, value] of Object.entries(def.shape ?? {})) visit(value, child(key))
        break
      case 'array':
        visit(def.element, path)
        break
      case 'record':
        visit(def.valueType, child('*'))
        break
      case 'union':
        for (const option of def.options ?? []) visit(option, path)
        break
      case 'intersection':
        visit(def.left, path)
        visit(def.right, path)
        break
      case 'pipe':
        visit(def.in, path)
        visit(def.out, path)
        break
      default:
        // optional, nullable, default, readonly, catch, …: the wrapped schema.
        visit(def.innerType, path)
    }
    seen.delete(node)
  }
  visit(schema, '')
  return [...found]
}

/** The authored columns of a model's rows (ModelSpec.authored), under `prefix` ('' for the row itself). */
export function authoredColumnPaths(spec: ModelSpec, prefix = ''): string[] {
  return spec.authored.map((path) => (prefix === '' ? path : `${prefix}.${path}`))
}

const pathsByTool = new WeakMap<AnyToolDefinition, readonly string[]>()

/** Every authored path of a tool's answer: its output schema's and its own list, computed once. */
export function authoredPathsOf(tool: AnyToolDefinition): readonly string[] {
  let paths = pathsByTool.get(tool)
  if (paths === undefined) {
    paths = [...new Set([...authoredSchemaPaths(tool.output), ...(tool.authored ?? [])])]
    pathsByTool.set(tool, paths)
  }
  return paths
}
