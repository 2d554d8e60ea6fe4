/** The browser's own idea of whether it is online (`navigator.onLine` and its events). */
export interface NetworkStatus {
  online(): boolean;
  /** Calls `listener` on every `online`/`offline` event until the returned function is called. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/**
 * `navigator.onLine` is only a hint: true means "some network", not "the target answers". The
 * channel's connectivity broadcasts say the rest; false, though, is reliable.
 */
export function browserNetworkStatus(target: Window = window): NetworkStatus {
  return {
    online: () => target.navigator.onLine,
    subscribe(listener) {
      const onOnline = () => listener(true);
      const onOffline = () => listener(false);
      target.addEventListener('online', onOnline);
      target.addEventListener('offline', onOffline);
      return () => {
        target.removeEventListener('online', onOnline);
        target.removeEventListener('offline', onOffline);
      };
    },
  };
}
