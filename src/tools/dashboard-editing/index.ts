export { duplicateDashboard } from './duplicate'
export { updateDashboard } from './update'
