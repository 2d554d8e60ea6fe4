import '../app/zod-jitless.ts';
import { expose } from 'comlink';
import { CHANNEL } from '../device/messages.ts';
import { OutboxDb } from '../device/outbox-db.ts';
import { Hydrator } from './hydrator.ts';
import type { HydratorApi } from './hydrator-api.ts';
import { browserDeps } from './hydrator-deps.ts';
import { noticeSink } from './notice-sink.ts';

/*
 * The hydrator's dedicated module worker: one per tab, exposed with Comlink. Each tab's worker
 * asks for the `hearth-hydrator` Web Lock; the holder keeps the cache current, the others wait
 * and take over when the holder's tab closes (its worker ends and the lock goes with it).
 * The holder's socket also brings the relay's notices (the cloud's word on this device's ops
 * the relay kept): they settle the outbox's entries (notice-sink.ts).
 */
const channel = new BroadcastChannel(CHANNEL);
const onNotice = noticeSink({ openOutbox: () => OutboxDb.open(), now: Date.now, channel });
const hydrator = new Hydrator(
  browserDeps({ channel, onNotice: (result) => void onNotice(result) }),
);

// Another tab signed out: this tab's hydrator stops too (its page asks again on sign-in).
channel.onmessage = (event: MessageEvent<unknown>) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === 'signed-out') void hydrator.stop();
};

const api: HydratorApi = {
  start: (options) => hydrator.start(options),
  stop: () => hydrator.stop(),
  forget: () => hydrator.forget(),
  status: () => hydrator.status(),
};

expose(api);
