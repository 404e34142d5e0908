/**
 * Stands in for `ajv` and `ajv-formats` in the deployed bundle (wrangler.toml `[alias]`). The MCP SDK
 * imports Ajv for its default JSON Schema validator, but the gateway always passes
 * CfWorkerJsonSchemaValidator (src/mcp/server.ts) — Ajv compiles validators with `new Function`, which
 * workerd forbids anyway. Aliasing it away keeps about 290 KB of unused code out of the Worker; should
 * anything ever construct it, this fails loudly instead of validating nothing.
 */
export default function ajvUnavailable(): never {
  throw new Error(
    'Ajv is not bundled in this Worker: pass jsonSchemaValidator: new CfWorkerJsonSchemaValidator() to the MCP SDK.',
  )
}
