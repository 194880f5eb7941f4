import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import request from 'supertest';
import { diagramDrift } from '../../scripts/readme-diagrams';

const root = join(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route of the running app (controllers only; Swagger's own /docs routes excluded). */
function appRoutes(t: TestApp): { method: string; path: string }[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  return express.router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods).map((method) => ({
        method: method.toUpperCase(),
        // Express `:task_id` is `{task_id}` in OpenAPI and in the README.
        path: layer.route!.path.replace(/:(\w+)/g, '{$1}'),
      })),
    )
    .filter((r) => !r.path.startsWith('/docs') && !r.path.includes('{*')); // '{*path}': middleware, not a route
}

describe('README', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ mode: 'all' });
  });
  afterAll(() => t.close());

  it('documents every route of the running app, and /docs-json has every API route', async () => {
    const doc = (await request(t.app.getHttpServer()).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = appRoutes(t);
    expect(routes.length).toBeGreaterThan(10);
    for (const { method, path } of routes) {
      expect({ route: `${method} ${path}`, inReadme: readme.includes(path) }).toEqual({
        route: `${method} ${path}`,
        inReadme: true,
      });
      if (path.startsWith('/console') || path.startsWith('/admin')) continue; // a page, not an API
      expect({
        route: `${method} ${path}`,
        inOpenApi: Boolean(doc.paths[path]?.[method.toLowerCase()]),
      }).toEqual({
        route: `${method} ${path}`,
        inOpenApi: true,
      });
    }
  });

  it('shows every diagram of diagrams/ as its rendered SVG, and no SVG without a source', () => {
    expect(diagramDrift(readme, join(root, 'diagrams'))).toEqual({ notShown: [], noSource: [] });
  });
});
