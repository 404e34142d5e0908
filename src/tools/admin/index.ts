export { getActionLogInfo, listActionLogs } from './logs'
export { getRlsFilterInfo, listRlsFilters } from './rls'
export { findUsers, getRoleInfo, getUserInfo, listRoles, listUsers } from './users'
