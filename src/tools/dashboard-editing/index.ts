export { updateDashboard } from './update'
