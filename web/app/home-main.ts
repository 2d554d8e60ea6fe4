// The launcher's entry (web/index.html): it installs the service worker, so the first visit to
// any address of the app makes every page available offline.
import { boot } from './boot.ts';

boot();
