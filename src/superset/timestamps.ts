import { trusted } from '../db'

/** Superset writes naive timestamps in the server's zone, UTC in practice. */
export const NOW_UTC = trusted("(now() AT TIME ZONE 'UTC')")
