// The floor page's entry (web/ops/index.html).
import { boot } from './boot.ts';
import './ops-page.ts';

boot();
