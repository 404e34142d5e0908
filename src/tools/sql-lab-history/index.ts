export { getQueryInfo, getSavedQueryInfo, listQueries, listSavedQueries } from './tools'
