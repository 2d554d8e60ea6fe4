// The guest page's entry (web/guest/index.html).
import { boot } from './boot.ts';
import '../guest/guest-page.ts';

boot();
