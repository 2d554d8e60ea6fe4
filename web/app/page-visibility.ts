/** Whether this page is on screen (`document.visibilityState` and its event). */
export interface PageVisibility {
  visible(): boolean;
  /** Calls `listener` on every visibility change until the returned function is called. */
  subscribe(listener: (visible: boolean) => void): () => void;
}

export function browserPageVisibility(doc: Document = document): PageVisibility {
  const visible = () => doc.visibilityState === 'visible';
  return {
    visible,
    subscribe(listener) {
      const onChange = () => listener(visible());
      doc.addEventListener('visibilitychange', onChange);
      return () => doc.removeEventListener('visibilitychange', onChange);
    },
  };
}

/** For contexts with no document (and tests that do not care): always on screen. */
export const alwaysVisible: PageVisibility = {
  visible: () => true,
  subscribe: () => () => undefined,
};
