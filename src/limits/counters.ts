/**
 * What the limits decided, pushed into the isolate's metrics as it happens (src/observability).
 */
import { countEvent } from '../observability'

export type LimitEvent =
  | 'refused_user'
  | 'refused_tool'
  | 'refused_client_ip'
  | 'limiter_unreachable_allowed'
  | 'limiter_unreachable_refused'

export function countLimitEvent(event: LimitEvent): void {
  switch (event) {
    case 'refused_user':
      return countEvent({ series: 'mcp_rate_limit_rejections_total', labels: { scope: 'user' } })
    case 'refused_tool':
      return countEvent({ series: 'mcp_rate_limit_rejections_total', labels: { scope: 'tool' } })
    case 'refused_client_ip':
      return countEvent({ series: 'mcp_rate_limit_rejections_total', labels: { scope: 'client_ip' } })
    case 'limiter_unreachable_allowed':
      return countEvent({ series: 'mcp_rate_limiter_unreachable_total', labels: { action: 'allowed' } })
    case 'limiter_unreachable_refused':
      countEvent({ series: 'mcp_rate_limit_rejections_total', labels: { scope: 'limiter_unavailable' } })
      return countEvent({ series: 'mcp_rate_limiter_unreachable_total', labels: { action: 'refused' } })
  }
}
