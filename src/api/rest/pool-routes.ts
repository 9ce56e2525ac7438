/** The staking pool over REST (read-only; holders stake and withdraw with their own transactions). */
import { type ApiServer, HttpError } from '../http-server.ts';
import {
  poolInfoJson,
  poolJournalJson,
  poolStakerJson,
  poolVerifyJson,
  type PoolControls,
} from '../pool-json.ts';
import { addressParam, intParam } from './validate.ts';
import type { RestContext } from './providers.ts';

export function registerPoolRoutes(api: ApiServer, ctx: RestContext): void {
  const pool = (): PoolControls => {
    if (!ctx.pool) throw new HttpError(501, 'this node runs no staking pool');
    return ctx.pool;
  };
  api.get('/pool', () => poolInfoJson(pool()));
  api.get('/pool/stakers/:address', ({ params: p }) => {
    addressParam(p.address, ctx.params);
    const s = poolStakerJson(pool(), p.address);
    if (!s) throw new HttpError(404, `${p.address} has never staked in this pool`);
    return s;
  });
  api.get('/pool/journal', ({ query }) =>
    poolJournalJson(pool(), intParam(query, 'from', { min: 0, max: 0xffffffff, fallback: 0 })),
  );
  api.get('/pool/verify', () => poolVerifyJson(pool()));
}
