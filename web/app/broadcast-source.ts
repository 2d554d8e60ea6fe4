import { type Broadcast, CHANNEL } from '../device/messages.ts';
import { parseBroadcast } from './broadcast-guard.ts';

/** Where a page hears the service worker's and the hydrator's broadcasts. */
export interface BroadcastSource {
  /** Calls `listener` with every well-formed broadcast until the returned function is called. */
  subscribe(listener: (message: Broadcast) => void): () => void;
}

/**
 * The `hearth` BroadcastChannel: one channel object per subscription, closed on unsubscribe, so
 * a disconnected screen holds nothing open. Messages that do not parse are dropped.
 */
export function broadcastChannelSource(name: string = CHANNEL): BroadcastSource {
  return {
    subscribe(listener) {
      const channel = new BroadcastChannel(name);
      channel.onmessage = (event: MessageEvent<unknown>) => {
        const message = parseBroadcast(event.data);
        if (message) listener(message);
      };
      return () => channel.close();
    },
  };
}
