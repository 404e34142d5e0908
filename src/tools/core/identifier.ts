import * as z from 'zod'

export const IdentifierSchema = z
  .union([z.int().positive(), z.string().trim().min(1)])
  .describe('Numeric id, UUID, or (dashboards only) slug.')

export type Identifier = z.output<typeof IdentifierSchema>
