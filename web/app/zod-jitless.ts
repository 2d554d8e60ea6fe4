import * as z from 'zod';

// The pages' Content-Security-Policy forbids eval. Without this zod probes `new Function` once
// to pick compiled parsers, and Chromium reports the refusal as a policy violation; jitless, it
// parses without the probe. Imported first by every page (boot.ts) and by the hydrator worker.
z.config({ jitless: true });
