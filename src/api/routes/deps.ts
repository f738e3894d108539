import type { Core } from '../../core/index.js';
import type { PolicyEnforcer } from '../policy/index.js';

/** What every route file is given. */
export interface RouteDeps {
  core: Core;
  policy: PolicyEnforcer;
  paginationMaxLimit: number;
}
