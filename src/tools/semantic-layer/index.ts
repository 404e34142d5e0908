export { getTable } from './get-table'
export { getCompatibleDimensions, getCompatibleMetrics, listMetrics } from './tools'
