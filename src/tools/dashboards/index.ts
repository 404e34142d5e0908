export { getDashboardInfo, listDashboards } from './tools'
export { addChartToExistingDashboard, generateDashboard } from './write'
export { chartIdsOf, layoutProblems } from './layout'
export type { Layout, LayoutComponent } from './layout'
