/** Core raises the errors of src/common/errors.ts (shared with ml2, which core depends on). */
export * from '../common/errors.js';
