import { API_PREFIX as PREFIX_PATH, routeList } from '@cronfleet/shared';

/** Every REST route is under this prefix (setGlobalPrefix's form, without the leading slash)... */
export const API_PREFIX = PREFIX_PATH.slice(1);
/** ...except the contracts marked `unprefixed`, served at the root for probes, scrapers and people (given to setGlobalPrefix's exclude). */
export const UNPREFIXED_PATHS = [...new Set(routeList().filter((r) => r.route.unprefixed).map((r) => r.route.path.slice(1)))];
