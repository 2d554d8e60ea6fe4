#!/usr/bin/env node
// `npm run outage` / `npm run restore` (and `node scripts/demo-control.mjs status`): cuts or
// restores the uplink of the demo `npm start` runs in another terminal, through its control
// port on 127.0.0.1 (HEARTH_CONTROL_PORT, default 8789).

const COMMANDS = { outage: 'POST /outage', restore: 'POST /restore', status: 'GET /status' };
const command = process.argv[2];
if (!(command in COMMANDS)) {
  console.error(`usage: node scripts/demo-control.mjs ${Object.keys(COMMANDS).join('|')}`);
  process.exit(2);
}
const [method, path] = COMMANDS[command].split(' ');
const port = Number(process.env.HEARTH_CONTROL_PORT ?? 8789);
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    signal: AbortSignal.timeout(5000),
  });
  const body = await res.json();
  console.log(command === 'status' ? JSON.stringify(body, null, 2) : body.message);
  process.exit(res.ok ? 0 : 1);
} catch (error) {
  const why = error instanceof Error ? (error.cause?.code ?? error.message) : String(error);
  console.error(
    `no demo answers on 127.0.0.1:${port} (${why}): start it with npm start in another terminal`,
  );
  process.exit(1);
}
