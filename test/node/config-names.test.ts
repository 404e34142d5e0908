/**
 * `npm start` passes configuration from the shell to `wrangler dev` by name (scripts/lib/stack.ts). The
 * list must name every variable the Worker's schema reads, or an override is silently dropped.
 */
import { describe, expect, it } from 'vitest'
import { CONFIG_NAMES } from '../../scripts/lib/stack.ts'
import { ConfigSchema } from '../../src/config/schema'

describe('the local stack’s configuration names', () => {
  it('are exactly the variables of the configuration schema', () => {
    expect([...CONFIG_NAMES].sort()).toEqual(Object.keys(ConfigSchema.shape).sort())
  })
})
