import type { ExtensionDefinition } from '../types.js';
import { projectIdAttribute } from '../common.js';
import { forStandardCollections } from './standard-attributes.js';

export const projectId: ExtensionDefinition = {
  alias: 'project-id',
  name: 'project_id field enabled',
  description: 'Extension that indicates that project_id field is enabled.',
  updated: '2016-09-09T09:09:09-09:09',
  extendedAttributes: forStandardCollections({ project_id: projectIdAttribute }),
};
