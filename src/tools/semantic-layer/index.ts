export { getCompatibleDimensions, getCompatibleMetrics, listMetrics } from './tools'
