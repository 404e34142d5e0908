/**
 * The resources the suite's resource scenarios read (src/scenarios/server/resources.ts): a text and a
 * binary document and a URI template whose variable must appear in what is read.
 */
import type { ResourceDefinition, ResourceTemplateDefinition } from '../core'
import { PNG_PIXEL } from './media'

export const staticText: ResourceDefinition = {
  uri: 'test://static-text',
  name: 'static-text',
  title: 'Static Text Resource',
  description: 'A static text resource for testing',
  mimeType: 'text/plain',
  permission: null,
  read: async () => 'This is the content of the static text resource.',
}

export const staticBinary: ResourceDefinition = {
  uri: 'test://static-binary',
  name: 'static-binary',
  title: 'Static Binary Resource',
  description: 'A static binary resource (image) for testing',
  mimeType: 'image/png',
  permission: null,
  encoding: 'base64',
  read: async () => PNG_PIXEL,
}

export const dataTemplate: ResourceTemplateDefinition = {
  uriTemplate: 'test://template/{id}/data',
  name: 'template',
  title: 'Resource Template',
  description: 'A resource template with parameter substitution',
  mimeType: 'application/json',
  permission: null,
  read: async ({ id }) => JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
}

export const CONFORMANCE_RESOURCES: readonly ResourceDefinition[] = [staticText, staticBinary]
export const CONFORMANCE_RESOURCE_TEMPLATES: readonly ResourceTemplateDefinition[] = [dataTemplate]
