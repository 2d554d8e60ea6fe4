// The flags headless Chromium needs on these CI machines (no sandbox as root, no GPU), shared by
// the browser tests' runner (web-test-runner, plain JavaScript) and the PWA end-to-end tests and
// bench (TypeScript).
// Without the background-networking ones Chromium dials Google's hosts at every start. The
// headless switch is left to each launcher.

/** @type {readonly string[]} */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
