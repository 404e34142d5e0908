export { getDashboardDatasets, getDashboardLayout } from './read'
export { deleteDashboard, removeChartFromDashboard } from './remove'
export { readLayout, removeChartFromLayout, removeChartFromMetadata } from './layout-tree'
export type { LayoutChartPosition, LayoutTab } from './layout-tree'
