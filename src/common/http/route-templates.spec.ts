import { RouteTemplates, UNMATCHED } from './route-templates';

describe('RouteTemplates', () => {
  const templates = new RouteTemplates(() => [
    { path: '/v1/tasks', methods: { get: true } },
    { path: '/v1/tasks/:task_id', methods: { get: true } },
    { path: '/v1/tasks/:task_id/cancel', methods: { post: true } },
    { path: '/v1/agent/execute', methods: { post: true } },
    { path: '/{*path}', methods: { _all: true } },
  ]);

  it('finds the template of a path a middleware refused before routing', () => {
    expect(templates.resolve('POST', '/v1/agent/execute')).toBe('/v1/agent/execute');
    expect(templates.resolve('GET', '/v1/tasks/abc-123')).toBe('/v1/tasks/:task_id');
    expect(templates.resolve('GET', '/v1/tasks/abc-123/')).toBe('/v1/tasks/:task_id');
    expect(templates.resolve('POST', '/v1/tasks/abc/cancel')).toBe('/v1/tasks/:task_id/cancel');
    expect(templates.resolve('HEAD', '/v1/tasks')).toBe('/v1/tasks');
  });

  it('labels unknown paths and methods unmatched, never with the raw path', () => {
    expect(templates.resolve('GET', '/v1/tasks/abc/cancel')).toBe(UNMATCHED);
    expect(templates.resolve('DELETE', '/v1/tasks/abc')).toBe(UNMATCHED);
    expect(templates.resolve('GET', '/wp-admin/setup.php')).toBe(UNMATCHED);
  });

  it('labels paths under mounted middleware by their mount point', () => {
    expect(templates.resolve('GET', '/docs/swagger-ui.css')).toBe('/docs');
    expect(templates.resolve('PUT', '/admin/queues/api/queues/agent_tasks/1/retry')).toBe(
      '/admin/queues',
    );
    expect(templates.resolve('GET', '/docsx')).toBe(UNMATCHED);
  });

  it('lists the methods the routes serve at a path, with HEAD wherever GET is', () => {
    expect(templates.allowedMethods('/v1/tasks/abc')).toEqual(['GET', 'HEAD']);
    expect(templates.allowedMethods('/v1/agent/execute')).toEqual(['POST']);
    expect(templates.allowedMethods('/v1/tasks/abc/cancel/')).toEqual(['POST']);
    expect(templates.allowedMethods('/v1/nothing')).toEqual([]);
  });
});
