// The pair page's entry (web/pair/index.html): the floor app's worker installs from here too,
// so a device paired on its first visit already keeps the app for offline use.
import { boot } from '../app/boot.ts';
import './pair-page.ts';

boot();
