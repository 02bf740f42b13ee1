import { loadRouteTable, matchRoute, serviceNames } from './route-table';

describe('the route table', () => {
  const routes = loadRouteTable();

  it('holds one prefix per service, each service once (docs/architecture.md shows the table)', () => {
    expect(routes).toEqual([
      { prefix: '/api/users', service: 'auth' },
      { prefix: '/api/posts', service: 'posts' },
      { prefix: '/api/comments', service: 'comments' },
      { prefix: '/api/moderation', service: 'moderation' },
      { prefix: '/api/query', service: 'query' },
      { prefix: '/', service: 'client' },
    ]);
    expect(serviceNames(routes)).toEqual(['auth', 'posts', 'comments', 'moderation', 'query', 'client']);
  });

  it.each([
    ['/api/users', 'auth'],
    ['/api/users/signin', 'auth'],
    ['/api/posts/123/like', 'posts'],
    ['/api/query/posts', 'query'],
    ['/api/usersx', 'client'], // element-wise prefix: not auth
    ['/', 'client'],
    ['/posts/hello-world', 'client'],
  ])('%s → %s', (path, service) => {
    expect(matchRoute(routes, path)?.service).toBe(service);
  });
});
