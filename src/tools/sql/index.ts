export { executeSql } from './execute-sql'
