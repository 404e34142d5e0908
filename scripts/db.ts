/**
 * `npm run db:migrate` — apply migrations/ to DATABASE_URL.
 * `npm run db:change-feed` — install the optional change feed (triggers on Superset's tables) into
 *                        DATABASE_URL: migrations/optional/superset_change_feed.sql, docs/DEPLOYMENT.md.
 * `npm run db:seed`    — load Superset's schema (when absent) and the demo content into DATABASE_URL, and
 *                        the demo analytics data into ANALYTICS_DATABASE_URL when that is set.
 */
import { installChangeFeed, migrate, seedAnalytics, seedSuperset, withClient } from './lib/database.ts'

function required(name: string): string {
  const value = process.env[name]?.trim()
  if (value === undefined || value === '') {
    process.stderr.write(
      `${name} is not set. Example: ${name}=postgres://postgres@127.0.0.1:5432/superset npm run db:${process.argv[2]}\n`,
    )
    process.exit(2)
  }
  return value
}

async function main(): Promise<void> {
  const command = process.argv[2]
  if (command === 'migrate') {
    const result = await withClient(required('DATABASE_URL'), (client) => migrate(client))
    process.stdout.write(
      result.applied.length === 0
        ? `Up to date (${result.skipped.length} migrations already applied).\n`
        : `Applied: ${result.applied.join(', ')}\n`,
    )
    return
  }
  if (command === 'change-feed') {
    await withClient(required('DATABASE_URL'), (client) => installChangeFeed(client))
    process.stdout.write(
      'Installed the change feed: changes made in Superset reach cached answers within seconds (docs/storage.md).\n',
    )
    return
  }
  if (command === 'seed') {
    const outcome = await withClient(required('DATABASE_URL'), (client) => seedSuperset(client))
    process.stdout.write(
      outcome === 'seeded'
        ? 'Loaded the Superset demo content.\n'
        : 'The database already holds dashboards; left it unchanged (demo content is only loaded into an empty database).\n',
    )
    const analyticsUrl = process.env.ANALYTICS_DATABASE_URL?.trim()
    if (analyticsUrl) {
      const analytics = await withClient(analyticsUrl, (client) => seedAnalytics(client))
      process.stdout.write(
        analytics === 'seeded' ? 'Loaded the demo analytics data.\n' : 'Analytics data already present.\n',
      )
    }
    return
  }
  process.stderr.write('usage: node scripts/db.ts migrate|seed|change-feed\n')
  process.exit(2)
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
