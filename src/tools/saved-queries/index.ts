export { openSqlLabWithContext, saveSqlQuery } from './tools'
