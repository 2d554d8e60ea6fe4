import { expose } from 'comlink';
import { Hydrator } from './hydrator.ts';
import type { HydratorApi } from './hydrator-api.ts';
import { browserDeps } from './hydrator-deps.ts';

/*
 * The hydrator's dedicated module worker: one per tab, exposed with Comlink. Each tab's worker
 * asks for the `hearth-hydrator` Web Lock; the holder keeps the cache current, the others wait
 * and take over when the holder's tab closes (its worker ends and the lock goes with it).
 */
const hydrator = new Hydrator(browserDeps());

const api: HydratorApi = {
  start: (options) => hydrator.start(options),
  stop: () => hydrator.stop(),
  status: () => hydrator.status(),
};

expose(api);
