import { error } from '@strato/model';
import type { FastifyInstance } from 'fastify';
import { KINDS } from '../registry/artifact-kinds.ts';
import type { Registry } from '../registry/registry.ts';

type Cartridge = { type: string; multiTenant?: boolean; category?: string; provider?: string };

const FILTERS: Record<string, (c: Cartridge, criteria?: string) => boolean> = {
  singleTenant: (c) => !c.multiTenant,
  multiTenant: (c) => c.multiTenant === true,
  'load-balancer': (c) => (c.category ?? '').toLowerCase() === 'load-balancer',
  provider: (c, criteria) => c.provider === criteria,
};

function filterOf(name: string) {
  const f = FILTERS[name];
  if (!f) throw error('CARTRIDGE_FILTER_UNKNOWN', { filter: JSON.stringify(name), filters: Object.keys(FILTERS).join(', ') });
  return f;
}

/** GET /cartridges/filter/{filter}?criteria= and GET /cartridges/{type}/filter/{filter} (rest-api.md #27, #28). */
export function cartridgeFilterRoutes(app: FastifyInstance, registry: Registry): void {
  const tags = ['cartridges'];
  app.get<{ Params: { filter: string }; Querystring: { criteria?: string } }>('/cartridges/filter/:filter', { schema: { tags } }, async (request) => {
    const f = filterOf(request.params.filter);
    const all = await registry.list<Cartridge>(KINDS.cartridge, request.principal);
    return all.filter((c) => f(c, request.query.criteria));
  });
  app.get<{ Params: { type: string; filter: string }; Querystring: { criteria?: string } }>(
    '/cartridges/:type/filter/:filter',
    { schema: { tags } },
    async (request) => {
      const f = filterOf(request.params.filter);
      const c = await registry.get<Cartridge>(KINDS.cartridge, request.params.type, request.principal);
      if (!f(c, request.query.criteria)) throw error('CARTRIDGE_FILTER_NO_MATCH');
      return c;
    },
  );
}
