/**
 * Themes (Superset's development branch, mcp_service/theme): list and read them with can_read on Theme,
 * create one with can_write on Theme. Superset filters no theme rows. The configuration (json_data) is
 * checked as Superset checks it before saving, and a dangerous value is refused (validate.ts).
 */
import * as z from 'zod'
import { insertTheme, THEME_COLUMNS, themeSpec } from '../../superset'
import {
  authored,
  defineGetTool,
  defineListTool,
  defineTool,
  inBandMessage,
  isDomainFailure,
  requestObject,
  WRITES,
} from '../core'
import { parseThemeConfig } from './validate'

const THEME_CACHE = { scope: 'permissions', dependsOn: ['theme'] } as const

export const listThemes = defineListTool({
  name: 'list_themes',
  title: 'List themes',
  description:
    'List the themes of Superset (antd design-token configurations): name, system flags and, on request, the configuration (json_data).',
  spec: themeSpec,
  cache: THEME_CACHE,
  schemaHint: false,
  requiresTables: ['themes'],
})

export const getThemeInfo = defineGetTool({
  name: 'get_theme_info',
  title: 'Get theme info',
  description:
    'Details of one theme by numeric id or UUID: name, system flags and its antd design-token configuration (json_data). Find ids with list_themes.',
  spec: themeSpec,
  label: 'Theme',
  defaultColumns: THEME_COLUMNS,
  cache: THEME_CACHE,
  requiresTables: ['themes'],
})

export const createTheme = defineTool({
  name: 'create_theme',
  title: 'Create theme',
  description:
    'Create a reusable theme from an antd design-token configuration, e.g. ' +
    '{"theme_name": "Corporate Blue", "json_data": {"token": {"colorPrimary": "#1d4ed8"}}}. json_data is an ' +
    'object (or its JSON text) with optional token and components objects, algorithm (default, dark, ' +
    'system, compact, or a list of them), hashed and inherit flags; fontUrls must be HTTPS links to ' +
    'Google Fonts or Typekit. Values that could inject CSS or scripts are refused.',
  input: requestObject({
    theme_name: z
      .string()
      .max(250)
      .refine((name) => name.trim() !== '', 'Theme name cannot be empty.')
      .describe('Human-readable name for the theme'),
    json_data: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .describe('The antd design-token configuration: a JSON object, or a JSON string of one.'),
  }),
  output: z.object({
    success: z.boolean(),
    id: z.int().nullable(),
    uuid: z.string().nullable(),
    theme_name: authored(z.string()).nullable(),
    message: authored(z.string()).nullable(),
    error: z.string().nullable(),
    error_type: z.string().nullable(),
  }),
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'Theme' },
  requiresTables: ['themes'],
  run: async (request, context) => {
    const config = parseThemeConfig(request.json_data)
    const theme = await context.db.transaction((tx) =>
      insertTheme(
        tx,
        { theme_name: request.theme_name, json_data: JSON.stringify(config) },
        context.principal.user.id,
      ),
    )
    context.effects.objectsAffected += 1
    context.effects.created.theme = [theme.id]
    context.effects.changed.add('theme')
    return {
      success: true,
      id: theme.id,
      uuid: theme.uuid,
      theme_name: request.theme_name,
      message: `Theme '${request.theme_name}' created successfully`,
      error: null,
      error_type: null,
    }
  },
  // The development branch's CreateThemeResponse: success=false with the reason, nothing created.
  inBandFailure: (failure) =>
    isDomainFailure(failure)
      ? {
          success: false,
          id: null,
          uuid: null,
          theme_name: null,
          message: null,
          error: inBandMessage(failure),
          error_type: failure.type,
        }
      : undefined,
})
