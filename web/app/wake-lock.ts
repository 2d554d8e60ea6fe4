/**
 * Keeps the screen on while the page is visible (the kitchen display). The browser releases a
 * screen wake lock whenever the page is hidden, so it is requested again on every return to
 * `visible`. Returns a function that stops keeping it.
 * https://developer.mozilla.org/docs/Web/API/Screen_Wake_Lock_API
 */
export function keepScreenAwake(
  doc: Document = document,
  wakeLock: WakeLock | undefined = navigator.wakeLock,
): () => void {
  if (!wakeLock) {
    console.info('screen wake lock not supported: the display may sleep');
    return () => {};
  }
  let sentinel: WakeLockSentinel | undefined;
  const acquire = async () => {
    if (doc.visibilityState !== 'visible' || (sentinel && !sentinel.released)) return;
    try {
      sentinel = await wakeLock.request('screen');
    } catch (error) {
      // NotAllowedError: refused (battery saver, a policy); the next return to visible tries again.
      console.warn('screen wake lock refused', error);
    }
  };
  const onVisibility = () => void acquire();
  doc.addEventListener('visibilitychange', onVisibility);
  void acquire();
  return () => {
    doc.removeEventListener('visibilitychange', onVisibility);
    void sentinel?.release();
  };
}
