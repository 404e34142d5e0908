/**
 * `npm run bench:parser`: what PostgreSQL's parser (libpg-query, src/guardrails) costs the gateway, in
 * this machine's Node (the V8 that workerd embeds): compiling the WebAssembly module (once per isolate,
 * at script load), instantiating it (on the first SQL call of an isolate), and reading typical SQL
 * (per call). The Worker's own timers do not advance during CPU work, so this is measured outside it.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
const wasmPath = require.resolve('libpg-query/wasm/libpg-query.wasm')
type Glue = (options: object) => Promise<{
  _malloc(size: number): number
  _free(pointer: number): void
  _wasm_parse_query_raw(pointer: number): number
  _wasm_free_parse_result(pointer: number): void
  lengthBytesUTF8(text: string): number
  stringToUTF8(text: string, pointer: number, size: number): void
  UTF8ToString(pointer: number): string
  getValue(pointer: number, type: 'i32'): number
}>
const createModule = require('libpg-query/wasm/libpg-query.js') as Glue
// The scripts' type set has no WebAssembly declarations; the runtime has the API.
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: {
      compile(bytes: Uint8Array): Promise<object>
      instantiate(module: object, imports: object): Promise<object>
    }
  }
).WebAssembly

const SAMPLES: Record<string, string> = {
  'ad-hoc metric (SELECT (expr))': 'SELECT (SUM(order_total) / NULLIF(COUNT(DISTINCT customer_id), 0))',
  'execute_sql, a join with a CTE':
    "WITH recent AS (SELECT * FROM sales.orders WHERE order_date > now() - interval '30 days') SELECT c.region, count(*), sum(r.order_total) FROM recent r JOIN sales.customers c USING (customer_id) GROUP BY 1 ORDER BY 3 DESC",
  'a whole chart query, RLS inside': `SELECT * FROM (SELECT CAST(DATE_TRUNC('month', "order_date") AS TIMESTAMP) AS "order_date", "region" AS "region", (SUM(order_total)) AS "revenue" FROM (SELECT * FROM "sales"."orders" WHERE ((region = 'EMEA'))) AS "orders" WHERE "order_date" >= CAST($1 AS TIMESTAMP) AND "order_date" < CAST($2 AS TIMESTAMP) GROUP BY 1, 2 ORDER BY 3 DESC LIMIT $3) AS chart_rows ORDER BY "order_date", "region"`,
}

async function main(): Promise<void> {
  const bytes = await readFile(wasmPath)
  let started = performance.now()
  const compiled = await wasmApi.compile(bytes)
  const compileMs = performance.now() - started
  started = performance.now()
  const module = await createModule({
    instantiateWasm(imports: object, done: (instance: object) => void) {
      void wasmApi.instantiate(compiled, imports).then(done)
      return {}
    },
  })
  const instantiateMs = performance.now() - started
  const parse = (text: string): string => {
    const size = module.lengthBytesUTF8(text) + 1
    const pointer = module._malloc(size)
    module.stringToUTF8(text, pointer, size)
    const result = module._wasm_parse_query_raw(pointer)
    const tree = module.UTF8ToString(module.getValue(result, 'i32'))
    module._wasm_free_parse_result(result)
    module._free(pointer)
    return tree
  }
  console.log(`libpg-query.wasm: ${(bytes.length / 1024).toFixed(0)} KiB`)
  console.log(`compile (once per isolate, at script load): ${compileMs.toFixed(1)} ms`)
  console.log(`instantiate + runtime init (first SQL call of an isolate): ${instantiateMs.toFixed(1)} ms`)
  for (const [name, text] of Object.entries(SAMPLES)) {
    for (let i = 0; i < 200; i++) JSON.parse(parse(text))
    const runs = 5_000
    started = performance.now()
    for (let i = 0; i < runs; i++) JSON.parse(parse(text))
    const micros = ((performance.now() - started) / runs) * 1000
    console.log(`parse + JSON.parse, ${name}: ${micros.toFixed(1)} µs`)
  }
}

await main()
