/**
 * Route names: the vocabulary of fault rules, counters and the request log. v1 routes are named after
 * the querier call in the body (`v1:<query_type>:<query_method>`), v2 routes after the endpoint.
 */
import type { RouteClass } from './options.js';

export const ROUTES = {
  'v1:dataset:GET': 'v1',
  'v1:datarows:GET': 'v1',
  'v1:datarow:GET': 'v1',
  'v1:datarow:POST': 'v1',
  /** Any other v1 query (answered METHOD_NOT_ALLOWED_ERROR). */
  'v1:other': 'v1',
  /** `POST /public/user`. */
  'v1:user': 'v1',
  'v2:item:GET': 'v2-read',
  'v2:get-bulk': 'v2-read',
  'v2:item:PATCH': 'v2-write',
  'v2:patch-bulk': 'v2-write',
  'v2:folder-items:GET': 'v2-read',
  'v2:folder:GET': 'v2-read',
  'v2:folders:GET': 'v2-read',
  'v2:search-folders:GET': 'v2-read',
  'v2:subfolders:GET': 'v2-read',
  'v2:folder-summary:GET': 'v2-read',
  'v2:schema:GET': 'v2-read',
  'v2:schema:POST': 'v2-write',
  'v2:schema-v2:GET': 'v2-read',
  'v2:schema-v2:POST': 'v2-write',
  'v2:bearer-token': 'v2-read',
  'v2:datasets-list': 'v2-read',
  /** Unknown path or method under `/v2/public/`. */
  'v2:unknown': 'v2-read',
  /** Anything outside `/public` and `/v2/public/`. */
  unknown: 'v2-read',
} as const satisfies Record<string, RouteClass>;

export type RouteName = keyof typeof ROUTES;
export const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

export function routeClass(route: RouteName): RouteClass {
  return ROUTES[route];
}

/** Route names that change state: commit-then-fail and partial results make sense only here. */
export const WRITE_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  'v1:datarow:POST',
  'v2:item:PATCH',
  'v2:patch-bulk',
  'v2:schema:POST',
  'v2:schema-v2:POST',
]);

/** Does a rule's route pattern (`*`, `v1:*`, `v2:*` or an exact name) match? */
export function routeMatches(pattern: string, route: RouteName): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith(':*')) return route.startsWith(pattern.slice(0, -1));
  return pattern === route;
}

export function isRoutePattern(pattern: string): boolean {
  return pattern === '*' || pattern === 'v1:*' || pattern === 'v2:*' || (ROUTE_NAMES as string[]).includes(pattern);
}
