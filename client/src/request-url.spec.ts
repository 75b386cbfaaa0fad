import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillPath, normaliseBaseUrl, queryString, routeUrl } from './request-url';

describe('normaliseBaseUrl', () => {
  it('takes the server root with or without a trailing slash or /api/v1', () => {
    for (const given of ['http://h:8080', 'http://h:8080/', 'http://h:8080/api/v1', 'http://h:8080/api/v1/']) assert.equal(normaliseBaseUrl(given), 'http://h:8080');
  });

  it("keeps a reverse proxy's path prefix", () => {
    assert.equal(normaliseBaseUrl('https://example.com/cronfleet/api/v1'), 'https://example.com/cronfleet');
  });

  it("takes '' or a path for the page's own origin", () => {
    assert.equal(normaliseBaseUrl(''), '');
    assert.equal(normaliseBaseUrl('/'), '');
    assert.equal(normaliseBaseUrl('/api/v1'), '');
  });

  it('refuses what is not an http(s) URL, as InvalidInput', () => {
    assert.throws(() => normaliseBaseUrl('localhost:8080'), { code: 'InvalidInput' });
    assert.throws(() => normaliseBaseUrl('ftp://h'), { code: 'InvalidInput' });
  });
});

describe('fillPath', () => {
  it('fills and URL-encodes :name parameters under /api/v1', () => {
    assert.equal(fillPath({ path: '/cronjobs/:id/versions/:version/rollback' }, { id: 7, version: 2 }), '/api/v1/cronjobs/7/versions/2/rollback');
    assert.equal(fillPath({ path: '/workflows/:ref' }, { ref: 'a/b c?' }), '/api/v1/workflows/a%2Fb%20c%3F');
  });

  it('takes the one value of a route with a single parameter', () => {
    assert.equal(fillPath({ path: '/tasks/:id' }, 7), '/api/v1/tasks/7');
  });

  it('leaves unprefixed routes and the root as they are', () => {
    assert.equal(fillPath({ path: '/healthz', unprefixed: true }, undefined), '/healthz');
    assert.equal(fillPath({ path: '/' }, undefined), '/api/v1');
  });

  it('refuses a missing parameter, naming it', () => {
    assert.throws(() => fillPath({ path: '/tasks/:id' }, {}), { code: 'InvalidInput', field: 'params.id' });
  });
});

describe('queryString', () => {
  it('sends lists as one comma list, dates as ISO-8601, and leaves out null and undefined', () => {
    const q = queryString({ ids: [1, 2, 3], since: new Date('2030-01-07T09:00:00Z'), namespace: undefined, cursor: null, enabled: false, q: 'a b&c' });
    assert.equal(q, '?ids=1%2C2%2C3&since=2030-01-07T09%3A00%3A00.000Z&enabled=false&q=a+b%26c');
    assert.equal(new URLSearchParams(q).get('ids'), '1,2,3');
  });

  it('is empty without values', () => {
    assert.equal(queryString(undefined), '');
    assert.equal(queryString({ a: undefined, b: [] }), '');
  });
});

describe('routeUrl', () => {
  it('joins root, path and query', () => {
    assert.equal(routeUrl('http://h', { path: '/cronjobs/timeline' }, undefined, { ids: [4, 5], limit: 3 }), 'http://h/api/v1/cronjobs/timeline?ids=4%2C5&limit=3');
  });
});
