export { getReportInfo, listReports } from './tools'
