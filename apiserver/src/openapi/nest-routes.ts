import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { fullPath, routeList, type RouteContract, type RouteGroup } from '@cronfleet/shared';
import { contractOf, ROUTE_INPUTS } from '../common/route.decorator';
import { API_PREFIX, UNPREFIXED_PATHS } from './api-prefix';

/** A handler as Nest registers it, read from the controllers' decorator metadata, with the contract it serves. */
export interface ServedRoute {
  controller: string;
  handler: string;
  method: string;
  /** With the global prefix, parameters as `:name`: `/api/v1/cronjobs/:id`. */
  path: string;
  /** The status Nest answers with (@HttpCode, else 201 for POST, 200 otherwise). */
  status: number;
  contract: RouteContract | null;
  /** What it reads by contract: `body`, `query`, `params.<name>` (@RouteBody, @RouteQuery, @RouteParam). */
  inputs: string[];
  /** What it reads past the contract with Nest's own @Param, @Query or @Body. */
  rawInputs: string[];
}

const RAW = new Map([
  [RouteParamtypes.PARAM, 'param'],
  [RouteParamtypes.QUERY, 'query'],
  [RouteParamtypes.BODY, 'body'],
]);
const segments = (p: unknown): string[] => (Array.isArray(p) ? String(p[0]) : String(p ?? '')).split('/').filter(Boolean);

/** Every route handler of these controllers, in declaration order. */
export function servedRoutes(controllers: readonly Type[]): ServedRoute[] {
  const out: ServedRoute[] = [];
  for (const ctrl of controllers) {
    const base = segments(Reflect.getMetadata(PATH_METADATA, ctrl));
    for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
      const fn = (ctrl.prototype as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof fn !== 'function') continue;
      const verb = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
      if (verb === undefined) continue;
      const relative = [...base, ...segments(Reflect.getMetadata(PATH_METADATA, fn))].join('/');
      const args = Object.keys((Reflect.getMetadata(ROUTE_ARGS_METADATA, ctrl, name) ?? {}) as Record<string, unknown>).map((k) => Number(k.split(':')[0]));
      out.push({
        controller: ctrl.name,
        handler: name,
        method: RequestMethod[verb],
        path: `/${UNPREFIXED_PATHS.includes(relative) ? relative : [API_PREFIX, relative].filter(Boolean).join('/')}`,
        status: (Reflect.getMetadata(HTTP_CODE_METADATA, fn) as number | undefined) ?? (verb === RequestMethod.POST ? 201 : 200),
        contract: contractOf(fn) ?? null,
        inputs: (Reflect.getMetadata(ROUTE_INPUTS, ctrl.prototype, name) as string[] | undefined) ?? [],
        rawInputs: args.filter((t) => RAW.has(t)).map((t) => RAW.get(t)!),
      });
    }
  }
  return out;
}

/** What a served handler reads against what its contract has: a path parameter unchecked, a query or body read past it. */
function inputProblems(s: ServedRoute, c: RouteContract): string[] {
  const problems: string[] = [];
  const where = `${s.controller}.${s.handler}`;
  const pathParams = [...c.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const declared = Object.keys(c.params?.shape ?? {});
  if (pathParams.join() !== declared.join()) problems.push(`${where}: its contract's params (${declared.join(', ')}) are not its path's (${pathParams.join(', ')})`);
  for (const p of pathParams) if (!s.inputs.includes(`params.${p}`)) problems.push(`${where} does not read :${p} with @RouteParam('${p}'): it goes unchecked`);
  for (const part of ['query', 'body'] as const) {
    if (c[part] !== undefined && !s.inputs.includes(part)) problems.push(`${where}: its contract has a ${part} the handler does not read with @Route${part === 'query' ? 'Query' : 'Body'}(): it goes unchecked`);
    if (c[part] === undefined && s.inputs.includes(part)) problems.push(`${where} reads a ${part} its contract does not have`);
  }
  if (s.rawInputs.length) problems.push(`${where} reads ${s.rawInputs.join(', ')} with Nest's own decorators, past its contract`);
  return problems;
}

/**
 * Whether Nest serves exactly the contracts of `groups`: every handler has one and is registered
 * as it says (method, path, status), reads its inputs by it, and every contract is served once.
 * Empty when all is well; else one line per problem.
 */
export function contractProblems(served: readonly ServedRoute[], groups: Readonly<Record<string, RouteGroup>>): string[] {
  const problems: string[] = [];
  const named = new Map(routeList(groups).map((r) => [r.route, `${r.group}.${r.name}`]));
  const servedBy = new Map<RouteContract, string>();
  for (const s of served) {
    const where = `${s.controller}.${s.handler} (${s.method} ${s.path})`;
    const c = s.contract;
    if (!c) {
      problems.push(`${where} serves no contract: give it @Route(<a route of API_ROUTES>)`);
      continue;
    }
    if (!named.has(c)) problems.push(`${where} serves a contract that is not in API_ROUTES`);
    if (servedBy.has(c)) problems.push(`${where} serves the contract ${servedBy.get(c)} serves too`);
    servedBy.set(c, `${s.controller}.${s.handler}`);
    if (`${s.method} ${s.path}` !== `${c.method} ${fullPath(c)}`) problems.push(`${where} is registered apart from its contract's ${c.method} ${fullPath(c)}: is its controller @Controller() without a path?`);
    if (s.status !== c.status) problems.push(`${where} answers ${s.status}, its contract ${c.status}`);
    problems.push(...inputProblems(s, c));
  }
  for (const [c, name] of named) if (!servedBy.has(c)) problems.push(`API_ROUTES.${name} (${c.method} ${fullPath(c)}) is served by no handler`);
  return problems;
}

/** Each served contract's OpenAPI operationId: the handler that serves it, `CronJobs_create`. */
export function operationIds(served: readonly ServedRoute[]): Map<RouteContract, string> {
  return new Map(served.filter((s) => s.contract).map((s) => [s.contract!, `${s.controller.replace(/Controller$/, '')}_${s.handler}`]));
}

/** The controllers of a module and of everything it imports, found through the module metadata (no app needed). */
export function controllersOf(root: Type | DynamicModule): Type[] {
  const seen = new Set<unknown>();
  const found = new Set<Type>();
  const walk = (m: unknown): void => {
    if (!m || seen.has(m)) return;
    seen.add(m);
    const dynamic = typeof m === 'object' && 'module' in m ? (m as DynamicModule) : null;
    const cls = dynamic ? dynamic.module : (m as Type);
    for (const c of [...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) as Type[] | undefined) ?? []), ...(dynamic?.controllers ?? [])]) found.add(c);
    for (const i of [...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) as unknown[] | undefined) ?? []), ...(dynamic?.imports ?? [])]) walk(i);
  };
  walk(root);
  return [...found];
}
