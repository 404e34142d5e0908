export { getDatabaseInfo, listDatabases } from './tools'
