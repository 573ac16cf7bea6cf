/** Global search finds compose projects, read from the containers' labels, and leads to the project's page. */
import { describe, expect, it } from 'vitest';
import { searchSources } from '../../app/commands/search-sources';
import { createClient } from '../../app/client';
import { createQueryClient } from '../../app/query';
import { pickTransport } from '../../app/transport';
import { containerSummary } from '../../testing/containers';
import { installFakeBerth } from '../../testing/render';
import { COMPOSE } from './labels';

describe('search source: projects', () => {
  it('lists each project once with its services and running count', async () => {
    installFakeBerth({
      'containers.list': () => [
        containerSummary({
          id: 'a'.repeat(64),
          name: 'shop-web-1',
          labels: { [COMPOSE.project]: 'shop', [COMPOSE.service]: 'web' },
        }),
        containerSummary({
          id: 'b'.repeat(64),
          name: 'shop-db-1',
          state: 'exited',
          labels: { [COMPOSE.project]: 'shop', [COMPOSE.service]: 'db' },
        }),
        containerSummary({ id: 'c'.repeat(64), name: 'loose' }),
      ],
    });
    const source = searchSources.find((s) => s.id === 'projects')!;
    const items = await source.load(createClient(pickTransport()), createQueryClient());
    expect(items).toEqual([
      { key: 'shop', label: 'shop', detail: 'compose · db, web · 1/2 running', href: '#/projects/shop' },
    ]);
  });
});
