import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'
import type { DatabaseStack } from './test/setup/provided.ts'

/** Bindings the Worker under test gets, from the database stack the global setup started. */
function workerBindings(stack: DatabaseStack): Record<string, string> {
  return {
    MCP_ENVIRONMENT: 'development',
    MCP_AUTH_ENABLED: 'false',
    MCP_DEV_USERNAME: 'admin',
    DATABASE_URL: stack.databaseUrl,
    DATABASE_WS_PROXY: stack.wsProxy,
    DATABASE_WS_SECURE: 'false',
    // As the least-privilege demo role (scripts/lib/database.ts), as production should run.
    ...stack.analyticsAccess,
    SUPERSET_WEBSERVER_ADDRESS: 'https://superset.example.test',
    MCP_LOG_LEVEL: 'error',
    // Superset 6.1's default (and `npm start`'s, and production's) is tool search on; the tests list the
    // whole catalogue to check who sees which tool, and test/worker/tool-search.test.ts turns search on.
    MCP_TOOL_SEARCH_ENABLED: 'false',
    // What a deployment sets (`wrangler secret put`): tests that run as production would otherwise be
    // refused for the missing key; test/worker/config.test.ts covers the key derived without it.
    MCP_CONFIRM_SECRET: 'test-confirmation-key-0123456789abcdef',
  }
}

/** Tests that write to Superset's tables run against their own databases, apart from the read-only tests. */
const WRITE_TESTS = 'test/worker/**/*.writes.test.ts'

/** The worker tests, run in workerd against one database engine. */
function workerProject(name: string, globalSetup: string, writes = false): TestProjectInlineConfiguration {
  return {
    extends: false,
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: { bindings: workerBindings(inject('stack')) },
      })),
    ],
    test: {
      name,
      include: writes ? [WRITE_TESTS] : ['test/worker/**/*.test.ts'],
      exclude: writes ? [] : [WRITE_TESTS],
      globalSetup: [globalSetup],
      testTimeout: 20_000,
      hookTimeout: 60_000,
    },
  }
}

const projects: TestProjectInlineConfiguration[] = [
  workerProject('pglite', './test/setup/pglite.ts'),
  workerProject('pglite-writes', './test/setup/pglite.ts', true),
  {
    extends: false,
    test: {
      name: 'node',
      environment: 'node',
      include: ['test/node/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  },
]
if (process.env.TEST_DATABASE_URL) {
  projects.push(workerProject('postgres', './test/setup/postgres.ts'))
  projects.push(workerProject('postgres-writes', './test/setup/postgres.ts', true))
}

export default defineConfig({ test: { projects } })
