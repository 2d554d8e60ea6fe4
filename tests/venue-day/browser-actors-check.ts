import { setTimeout as sleep } from 'node:timers/promises';
import { flatten, venueHarness } from '../e2e/support/relay-process.ts';
import { buildWeb, WEB_DIST, webDistIsStale } from '../e2e/support/web-build.ts';
import { startFaultProxy } from '../faults/fault-proxy.ts';
import { startBrowserActors } from './browser-actors.ts';

// A look at the venue day's Chromium pages on their own: a cloud and a relay serving the PWA,
// a Wi-Fi fault proxy in front of the relay, the pages working for a minute through a 3 s Wi-Fi
// cut and a 10 s WAN cut; then their counts, outboxes, states and caches against the cloud.
//   npx bun tests/venue-day/browser-actors-check.ts   (HEARTH_CHECK_SECONDS=60, HEARTH_CHECK_PACE_MS=1500,
//   HEARTH_CHECK_WIFI_CUT_MS=3000)

const SECONDS = Number(process.env.HEARTH_CHECK_SECONDS ?? 60);
const PACE_MS = Number(process.env.HEARTH_CHECK_PACE_MS ?? 1_500);
const WIFI_CUT_MS = Number(process.env.HEARTH_CHECK_WIFI_CUT_MS ?? 3_000);
const began = Date.now();
const log = (line: string) => console.log(`${((Date.now() - began) / 1000).toFixed(1)}s ${line}`);

if (webDistIsStale()) await buildWeb();
const harness = await venueHarness({
  cloudEnv: { HEARTH_WEB_DIR: WEB_DIST },
  relayEnv: { HEARTH_WEB_DIR: WEB_DIST },
});
const wifi = await startFaultProxy({ target: { host: '127.0.0.1', port: harness.relay.port } });
let failed = false;
try {
  const actors = await startBrowserActors({
    lanUrl: wifi.url,
    relay: { dataDir: harness.relayDataDir, url: harness.relay.url },
    cloudUrl: harness.cloud.url,
    floorTables: ['1', '2', '3', '4', '5', '6'],
    guestTable: '9',
    kitchenStations: ['grill', 'expo'],
    paceMs: PACE_MS,
    log,
  });
  try {
    actors.start();
    const t0 = Date.now();
    const until = async (second: number) => {
      const wait = t0 + second * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
    };
    const sample = async (what: string) =>
      log(
        `${what}: states ${JSON.stringify(await actors.states())} outboxes ${JSON.stringify(await actors.outboxDepths())}`,
      );

    await until(SECONDS * 0.3);
    await sample('before the Wi-Fi cut');
    wifi.cut();
    log('Wi-Fi cut');
    await sleep(WIFI_CUT_MS / 2);
    await sample('Wi-Fi cut');
    await sleep(WIFI_CUT_MS / 2);
    wifi.restore();
    log('Wi-Fi back');
    await until(SECONDS * 0.5);
    harness.proxy.cut();
    log('WAN cut');
    await sleep(5_000);
    await sample('WAN cut');
    log(`relay: ${JSON.stringify(await harness.relay.health())}`);
    await sleep(5_000);
    harness.proxy.restore();
    log('WAN back');
    await until(SECONDS);
    await actors.stop();
    log(`stopped; counts ${JSON.stringify(actors.counts(), null, 1)}`);

    // Drain: every page's outbox empty and the relay's journal in the cloud.
    const drainFrom = Date.now();
    let depths: Record<string, number> = {};
    while (Date.now() - drainFrom < 60_000) {
      depths = await actors.outboxDepths();
      if (Object.values(depths).every((d) => d === 0)) break;
      await sleep(500);
    }
    log(`outboxes after ${Date.now() - drainFrom} ms: ${JSON.stringify(depths)}`);
    const health = await harness.waitSettled(60_000).catch((e: unknown) => String(e));
    log(`relay settled: ${JSON.stringify(health)}`);
    await sleep(3_000);
    log(`states: ${JSON.stringify(await actors.states())}`);

    const cloud = flatten(await harness.cloudEntities());
    const caches = await actors.caches();
    for (const [name, cache] of Object.entries(caches)) {
      let differ = 0;
      let notInCloud = 0;
      const samples: string[] = [];
      for (const [key, value] of cache) {
        const there = cloud.get(key);
        if (there === undefined) notInCloud++;
        else if (there !== value) {
          differ++;
          if (samples.length < 2)
            samples.push(
              `${key}\n  page:  ${value.slice(0, 400)}\n  cloud: ${there.slice(0, 400)}`,
            );
        }
      }
      log(
        `${name}: ${cache.size} cached, ${differ} differ from the cloud, ${notInCloud} not in the cloud`,
      );
      for (const s of samples) log(`  ${s}`);
    }
    const counts = actors.counts();
    const done = Object.values(counts).reduce((n, c) => n + c.done, 0);
    if (done === 0) failed = true;
  } finally {
    await actors.close();
  }
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await wifi.close();
  await harness.close();
}
log(failed ? 'check FAILED' : 'check done');
process.exit(failed ? 1 : 0);
