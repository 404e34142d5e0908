/**
 * Global setup of the default test project: two embedded Postgres instances (Superset metadata with the
 * demo content and the gateway migrations; the analytics demo) and the WebSocket bridge to both.
 */
import type { TestProject } from 'vitest/node'
import {
  demoAnalyticsAccess,
  installChangeFeed,
  migrate,
  seedAnalytics,
  seedSuperset,
  withClient,
} from '../../scripts/lib/database.ts'
import { startDevIdp } from '../../scripts/lib/dev-idp.ts'
import { startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts'
import { startWsBridge } from '../../scripts/lib/ws-bridge.ts'
import { startSentryStandIn } from './sentry-stand-in.ts'
import './provided.ts'

export default async function setup(project: TestProject) {
  const metadata = await startEmbeddedPostgres()
  const analytics = await startEmbeddedPostgres()
  await withClient(metadata.url, async (client) => {
    await seedSuperset(client)
    await migrate(client)
    // Installed so the tests exercise it; test/worker/freshness.writes.test.ts also reads without it.
    await installChangeFeed(client)
  })
  await withClient(analytics.url, (client) => seedAnalytics(client))
  const bridge = await startWsBridge({
    targets: [`${metadata.host}:${metadata.port}`, `${analytics.host}:${analytics.port}`],
  })
  project.provide('stack', {
    databaseUrl: metadata.url,
    analyticsUrl: analytics.url,
    analyticsAccess: demoAnalyticsAccess(analytics.url, 'pglite'),
    wsProxy: bridge.proxy,
    engine: 'pglite',
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
    await metadata.stop()
    await analytics.stop()
  }
}
