// A token's namespace scope is auth's (auth/namespace-scope.ts): the controllers read it from here
// until they move to shared/src/api, then this file goes.
export { createNamespace, listNamespace } from '../auth/namespace-scope';
