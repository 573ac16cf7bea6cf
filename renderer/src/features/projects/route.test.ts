import { describe, expect, it } from 'vitest';
import { parseProjectsHash, projectHref } from './route';

describe('projects route', () => {
  it('reads the list, a project and its logs, and round-trips names through hrefs', () => {
    expect(parseProjectsHash('#/projects')).toEqual({ view: 'list' });
    expect(parseProjectsHash('#/projects/shop')).toEqual({ view: 'project', name: 'shop', tab: 'overview' });
    expect(parseProjectsHash(projectHref('my app', 'logs'))).toEqual({ view: 'project', name: 'my app', tab: 'logs' });
    expect(parseProjectsHash('#/projects/%E0%A4%A')).toEqual({ view: 'list' });
    expect(parseProjectsHash('#/containers')).toBeNull();
  });
});
