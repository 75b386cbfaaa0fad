import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { z } from 'zod';
import { PUBLIC_ROUTE } from '../common/public.decorator';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { API_PREFIX, UNPREFIXED_PATHS } from './api-prefix';

/** A route as Nest registers it, read from the controllers' decorator metadata. */
export interface NestRoute {
  /** `GET /api/v1/cronjobs/{id}`: the key of the route table. */
  key: string;
  method: string;
  /** With the global prefix, parameters in OpenAPI's `{name}` form. */
  path: string;
  controller: string;
  handler: string;
  /** Marked @Public(): no token needed. */
  isPublic: boolean;
  /** The status Nest answers with (@HttpCode, else 201 for POST, 200 otherwise); null when the handler takes the response object and sets it. */
  status: number | null;
  /** The zod schemas its ZodValidationPipes validate with: the request as the server really checks it. */
  params: { name: string; schema: z.ZodType | null }[];
  query: z.ZodType | null;
  body: z.ZodType | null;
}

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

function zodSchemaOf(pipes: unknown[] | undefined): z.ZodType | null {
  const pipe = pipes?.find((p): p is ZodValidationPipe<z.ZodType> => p instanceof ZodValidationPipe);
  // The pipe's schema is private to its class; reading it here keeps the docs on the very schema that validates.
  return pipe ? (pipe.documented ?? (pipe as unknown as { schema: z.ZodType }).schema) : null;
}

const segments = (p: unknown): string[] => (Array.isArray(p) ? String(p[0]) : String(p ?? '')).split('/').filter(Boolean);

/** Every route of these controllers, in declaration order. */
export function routesOf(controllers: readonly Type[]): NestRoute[] {
  const out: NestRoute[] = [];
  for (const ctrl of controllers) {
    const base = segments(Reflect.getMetadata(PATH_METADATA, ctrl));
    const classPublic = Reflect.getMetadata(PUBLIC_ROUTE, ctrl) === true;
    for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
      const fn = (ctrl.prototype as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof fn !== 'function') continue;
      const verb = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
      if (verb === undefined) continue;
      const relative = [...base, ...segments(Reflect.getMetadata(PATH_METADATA, fn))].join('/');
      const full = UNPREFIXED_PATHS.includes(relative) ? relative : [API_PREFIX, relative].filter(Boolean).join('/');
      const path = `/${full}`.replace(/:(\w+)/g, '{$1}');
      const method = RequestMethod[verb];
      const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, ctrl, name) ?? {}) as Record<string, RouteArg>).map(([k, a]) => ({ type: Number(k.split(':')[0]), ...a }));
      const takesResponse = args.some((a) => a.type === RouteParamtypes.RESPONSE);
      const whole = (type: RouteParamtypes) => zodSchemaOf(args.find((a) => a.type === type && a.data === undefined)?.pipes);
      out.push({
        key: `${method} ${path}`,
        method,
        path,
        controller: ctrl.name,
        handler: name,
        isPublic: classPublic || Reflect.getMetadata(PUBLIC_ROUTE, fn) === true,
        status: takesResponse ? null : ((Reflect.getMetadata(HTTP_CODE_METADATA, fn) as number | undefined) ?? (verb === RequestMethod.POST ? 201 : 200)),
        params: args.filter((a) => a.type === RouteParamtypes.PARAM && typeof a.data === 'string').map((a) => ({ name: a.data as string, schema: zodSchemaOf(a.pipes) })),
        query: whole(RouteParamtypes.QUERY),
        body: whole(RouteParamtypes.BODY),
      });
    }
  }
  return out;
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
