/** The built-in identity of the all-in-one mode (a Keystone v3 subset); see the files for details. */
export { createBuiltinAuth, type BuiltinAuthOptions } from './auth.js';
export {
  initIdentityStore, writeClientConfig, identityAuthUrl, DEFAULT_PREFIX, DEFAULT_PUBLIC_URL, DEFAULT_REGION,
  type CloudCredentials, type InitIdentityOptions, type InitializedIdentity,
} from './init.js';
export { registerBuiltinIdentity, type BuiltinIdentityOptions } from './routes.js';
export { IdentityStore } from './store.js';
export { issueToken, resolveToken, AuthRequestError, type ResolvedToken } from './session.js';
