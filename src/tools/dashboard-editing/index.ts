export { duplicateDashboard } from './duplicate'
export { manageNativeFilters } from './native-filters'
export { updateDashboard } from './update'
