// The kitchen display's entry (web/kitchen/index.html): kept awake while it is on screen.
import { boot } from './boot.ts';
import '../kitchen/kitchen-page.ts';

boot({ keepAwake: true });
