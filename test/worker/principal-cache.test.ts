import { describe, expect, it } from 'vitest'
import { forgetPrincipals, rememberedPrincipal } from '../../src/dispatch'
import { buildPrincipal, type Principal } from '../../src/superset'

function principalOf(username: string): Principal {
  return buildPrincipal(
    {
      id: 1,
      username,
      email: `${username}@example.com`,
      first_name: 'A',
      last_name: 'B',
      active: true,
      roles: [],
      permissions: [],
    },
    { adminRole: 'Admin', tenant: 'default' },
  )
}

describe('remembered principals', () => {
  it('reuses a loaded principal within its TTL, then loads again', async () => {
    forgetPrincipals()
    let loads = 0
    const load = async () => {
      loads += 1
      return principalOf('bob')
    }
    await rememberedPrincipal('k', 10, load, 1_000)
    await rememberedPrincipal('k', 10, load, 5_000)
    expect(loads).toBe(1)
    await rememberedPrincipal('k', 10, load, 11_001)
    expect(loads).toBe(2)
  })

  it('never remembers a failed load, and can be turned off', async () => {
    forgetPrincipals()
    let loads = 0
    const failing = async (): Promise<Principal> => {
      loads += 1
      throw new Error('inactive')
    }
    await expect(rememberedPrincipal('f', 10, failing, 0)).rejects.toThrow('inactive')
    await expect(rememberedPrincipal('f', 10, failing, 1)).rejects.toThrow('inactive')
    expect(loads).toBe(2)
    let fresh = 0
    const counting = async () => {
      fresh += 1
      return principalOf('kim')
    }
    await rememberedPrincipal('o', 0, counting)
    await rememberedPrincipal('o', 0, counting)
    expect(fresh).toBe(2)
  })
})
