// The two files of libpg-query the gateway loads itself (src/guardrails/parser.ts): the Emscripten glue
// and the WebAssembly module, which wrangler and the vitest integration import as a compiled module.
declare module 'libpg-query/wasm/libpg-query.js' {
  export interface PgQueryWasm {
    _malloc(size: number): number
    _free(pointer: number): void
    _wasm_parse_query_raw(query: number): number
    _wasm_free_parse_result(result: number): void
    _wasm_scan(query: number): number
    _wasm_free_string(pointer: number): void
    lengthBytesUTF8(text: string): number
    stringToUTF8(text: string, pointer: number, size: number): void
    UTF8ToString(pointer: number): string
    getValue(pointer: number, type: 'i32'): number
  }
  export interface PgQueryModuleOptions {
    instantiateWasm(
      imports: WebAssembly.Imports,
      done: (instance: WebAssembly.Instance) => void,
    ): Record<string, never>
  }
  const createModule: (options: PgQueryModuleOptions) => Promise<PgQueryWasm>
  export default createModule
}

declare module 'libpg-query/wasm/libpg-query.wasm' {
  const wasm: WebAssembly.Module
  export default wasm
}
