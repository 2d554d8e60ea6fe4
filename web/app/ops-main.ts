// The floor page's entry (web/ops/index.html).
import { boot } from './boot.ts';
import '../floor/floor-page.ts';

boot();
