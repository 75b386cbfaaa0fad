// A token's namespace scope is auth's (auth/namespace-scope.ts): the controllers still read it from
// here; once they import it from auth/, this file goes.
export { createNamespace, listNamespace } from '../auth/namespace-scope';
