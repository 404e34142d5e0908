/**
 * The architecture's import rules (docs/ARCHITECTURE.md), enforced by `npm run lint:layers` in CI.
 * No baseline, no ignore list, no per-file exception: a violation fails the build.
 *
 * Layers, top to bottom; a module imports only its own layer (in the declared direction) or layers below:
 *   entry      src/index.ts, http/, mcp/, health/
 *   pipeline   auth/, limits/, cache/, confirm/, dispatch/, tool-search/
 *   tools      tools/index.ts (the registry) → tools/<domain>/ → tools/core/
 *   engines    query/ → superset/, guardrails/
 *   infra      audit/ → db/, observability/; counters/
 *   leaves     errors.ts, env.ts, digest.ts, version.ts, tool-names.ts, suggest.ts, json-text.ts, markers.ts,
 *              config/, limit-documents/
 */
const LAYERS = {
  entry: '^src/(index\\.ts$|http/|mcp/|health/)',
  pipeline: '^src/(auth|limits|cache|confirm|dispatch|tool-search)/',
  tools: '^src/tools/',
  engines: '^src/(query|superset|guardrails)/',
  infra: '^src/(db|observability|audit|counters)/',
  leaves:
    '^src/((errors|env|digest|version|tool-names|suggest|json-text|markers)\\.ts$|config/|limit-documents/)',
}
const ORDER = ['entry', 'pipeline', 'tools', 'engines', 'infra', 'leaves']

/** A layer imports nothing above it. */
const downOnly = ORDER.slice(1).map((layer, index) => ({
  name: `${layer}-points-down`,
  comment: `${layer} must not import a layer above it (${ORDER.slice(0, index + 1).join(', ')})`,
  severity: 'error',
  from: { path: LAYERS[layer] },
  to: { path: ORDER.slice(0, index + 1).map((above) => LAYERS[above]) },
}))

/** Within a layer, arrows go one declared way: `from` must not import `to`. */
const sideways = (name, from, to) => ({
  name,
  comment: `${from} must not import ${to} (within a layer, arrows go one declared way)`,
  severity: 'error',
  from: { path: `^src/${from}` },
  to: { path: `^src/${to}` },
})

export default {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycle, type imports included',
      severity: 'error',
      from: { path: '^(src|scripts)/' },
      to: { circular: true },
    },
    {
      name: 'in-a-layer',
      comment: 'Every module of src/ belongs to a layer (add a new folder to LAYERS)',
      severity: 'error',
      from: { path: '^src/', pathNot: Object.values(LAYERS) },
      to: {},
    },
    ...downOnly,
    sideways('entry-http-stays-below-mcp', '(http|health)/', '(mcp|health)/'),
    sideways('entry-health-is-a-route', 'health/', '(http|mcp)/'),
    sideways('pipeline-auth-is-lowest', 'auth/', '(limits|cache|confirm|dispatch|tool-search)/'),
    sideways('pipeline-limits-below-dispatch', 'limits/', '(cache|confirm|dispatch|tool-search)/'),
    sideways('pipeline-cache-below-dispatch', 'cache/', '(limits|confirm|dispatch|tool-search)/'),
    sideways('pipeline-tool-search-below-dispatch', 'tool-search/', '(auth|limits|cache|confirm|dispatch)/'),
    sideways('pipeline-confirm-below-dispatch', 'confirm/', '(auth|limits|cache|dispatch|tool-search)/'),
    sideways('tools-core-is-shared', 'tools/core/', 'tools/(?!core/)'),
    {
      name: 'tools-domains-are-apart',
      comment: 'A tool domain imports tools/core only, never another domain or the registry',
      severity: 'error',
      from: { path: '^src/tools/([^/]+)/' },
      to: { path: '^src/tools/', pathNot: ['^src/tools/$1/', '^src/tools/core/'] },
    },
    sideways('engines-superset-is-below-query', 'superset/', '(query|guardrails)/'),
    sideways('engines-guardrails-is-below-query', 'guardrails/', '(query|superset)/'),
    sideways('infra-db-imports-no-sibling', 'db/', '(observability|audit|counters)/'),
    sideways('infra-observability-is-a-registry', 'observability/', '(db|audit|counters)/'),
    sideways('infra-counters-imports-no-sibling', 'counters/', '(db|audit|observability)/'),
    {
      name: 'one-door',
      comment: 'Another folder is entered through its index.ts only',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/.', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/tools/'] },
    },
    {
      name: 'one-door-from-the-top',
      comment: 'src/index.ts, the leaf files, the tool registry and scripts enter folders through index.ts',
      severity: 'error',
      from: { path: '^(src/[^/]+\\.ts$|src/tools/index\\.ts$|scripts/)' },
      to: { path: '^src/[^/]+/.', pathNot: ['^src/[^/]+/index\\.ts$', '^src/tools/[^/]+/index\\.ts$'] },
    },
    {
      name: 'one-door-per-tool-domain',
      comment: 'A tool domain is entered through its index.ts only',
      severity: 'error',
      from: { path: '^src/tools/([^/]+)/' },
      to: { path: '^src/tools/[^/]+/.', pathNot: ['^src/tools/$1/', '^src/tools/[^/]+/index\\.ts$'] },
    },
    {
      name: 'tools-through-the-registry',
      comment: 'Outside src/tools, tools are reached through the registry (src/tools/index.ts)',
      severity: 'error',
      from: { path: '^(src/(?!tools/)|scripts/)' },
      to: { path: '^src/tools/[^/]+/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.wrangler)/' },
  },
}
