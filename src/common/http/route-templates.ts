import type { Express } from 'express';

/** The label of requests that matched no route (404s), so that raw paths never become labels. */
export const UNMATCHED = 'unmatched';

/** Paths served by mounted middleware rather than routes; each is labelled by its mount point. */
const MOUNTED_PREFIXES = ['/docs', '/admin/queues'];

/** What this class needs of an Express route (the `router` package's Route). */
export interface ExpressRouteLike {
  path: unknown;
  methods: Record<string, boolean | undefined>;
}

interface CompiledRoute {
  template: string;
  pattern: RegExp;
  methods: Record<string, boolean | undefined>;
}

/**
 * Finds the route template of a request that never reached its route: one refused by a
 * middleware that runs before routing (a body too large, a wrong content type). Requests that
 * reached a route carry its template in `req.route.path` and need none of this.
 */
export class RouteTemplates {
  private compiled?: CompiledRoute[];

  /** `routes` is read on first use, once every route is registered. */
  constructor(private readonly routes: () => ExpressRouteLike[]) {}

  /** The template of `path` for `method`, a mount point, or `unmatched`. */
  resolve(method: string, path: string): string {
    const verb = method.toLowerCase();
    for (const route of this.table()) {
      const handles =
        route.methods[verb] || route.methods._all || (verb === 'head' && route.methods.get);
      if (handles && route.pattern.test(path)) return route.template;
    }
    return mountPointOf(path) ?? UNMATCHED;
  }

  /**
   * The methods some route serves at `path` (HEAD wherever GET is), for the Allow header of a
   * 405; empty when no route has the path at all (a 404).
   */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.table()) {
      if (!route.pattern.test(path)) continue;
      for (const [verb, on] of Object.entries(route.methods)) {
        if (on && verb !== '_all') methods.add(verb.toUpperCase());
      }
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }

  private table(): CompiledRoute[] {
    this.compiled ??= this.routes().flatMap((route) => {
      const pattern = typeof route.path === 'string' ? compile(route.path) : undefined;
      return pattern ? [{ template: route.path as string, pattern, methods: route.methods }] : [];
    });
    return this.compiled;
  }
}

/** The routes an Express application registered, in order (the `router` package's layers). */
export function expressRoutes(app: Express): ExpressRouteLike[] {
  const router = (app as { router?: { stack?: { route?: ExpressRouteLike }[] } }).router;
  return (router?.stack ?? []).flatMap((layer) => (layer.route ? [layer.route] : []));
}

export function mountPointOf(path: string): string | undefined {
  return MOUNTED_PREFIXES.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** `/v1/tasks/:task_id` → /^\/v1\/tasks\/[^/]+\/?$/. Wildcards and optional groups are skipped. */
function compile(template: string): RegExp | undefined {
  if (/[*{}()]/.test(template)) return undefined;
  const body = template
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^$|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${body}/?$`, 'i');
}
