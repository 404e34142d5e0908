/**
 * Global setup of the `postgres` test project (runs when TEST_DATABASE_URL is set): fresh databases on
 * that server for the Superset metadata and the analytics demo, dropped afterwards.
 */
import type { TestProject } from 'vitest/node'
import {
  createDatabase,
  demoAnalyticsAccess,
  dropDatabase,
  hostPort,
  installChangeFeed,
  migrate,
  seedAnalytics,
  seedSuperset,
  withClient,
  withDatabase,
} from '../../scripts/lib/database.ts'
import { startDevIdp } from '../../scripts/lib/dev-idp.ts'
import { startWsBridge } from '../../scripts/lib/ws-bridge.ts'
import { startSentryStandIn } from './sentry-stand-in.ts'
import './provided.ts'

export default async function setup(project: TestProject) {
  const server = process.env.TEST_DATABASE_URL
  if (server === undefined || server === '') throw new Error('TEST_DATABASE_URL is not set')
  const suffix = `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const metadataName = `mcp_gw_test_meta_${suffix}`
  const analyticsName = `mcp_gw_test_analytics_${suffix}`
  await createDatabase(server, metadataName)
  await createDatabase(server, analyticsName)
  const metadataUrl = withDatabase(server, metadataName)
  const analyticsUrl = withDatabase(server, analyticsName)
  await withClient(metadataUrl, async (client) => {
    await seedSuperset(client)
    await migrate(client)
    // Installed so the tests exercise it; test/worker/freshness.writes.test.ts also reads without it.
    await installChangeFeed(client)
  })
  await withClient(analyticsUrl, (client) => seedAnalytics(client))
  const bridge = await startWsBridge({ targets: [hostPort(server)] })
  project.provide('stack', {
    databaseUrl: metadataUrl,
    analyticsUrl,
    analyticsAccess: demoAnalyticsAccess(analyticsUrl, 'postgres'),
    wsProxy: bridge.proxy,
    engine: 'postgres',
  })
  // The tests' identity provider: realms under /realms/<name>/ keep each test's keys and counters apart.
  const idp = await startDevIdp({ audience: 'http://localhost/mcp', testControls: true })
  project.provide('idp', idp.url)
  // Where the tests point SENTRY_DSN: a local stand-in that records what the gateway reports.
  const sentry = await startSentryStandIn()
  project.provide('sentry', sentry.url)
  return async () => {
    await sentry.close()
    await idp.close()
    await bridge.close()
    await dropDatabase(server, metadataName)
    await dropDatabase(server, analyticsName)
  }
}
