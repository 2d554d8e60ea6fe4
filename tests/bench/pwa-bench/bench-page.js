// The page half of `npm run bench:pwa`: served at /bench/ by tests/bench/pwa-bench.ts from the
// same origin as the built app (web/dist, so /sw.js is the real service worker) and the real
// cloud behind it. Bundled with esbuild; plain JavaScript because tsconfig.json checks tests/
// with Node's libs only.
//
// (a) The outbox drain: 1,000 ops are written into the worker's outbox (`hearth-outbox`) as
// `OutboxStore.add` leaves them (pending, never tried) — raw, in one transaction, which is also
// the IndexedDB ceiling for that many records — then the page does what the app does on
// `online`: posts {type:'replay'} to its service worker. Done is the worker's `replay-progress`
// with sent === total covering all of them; the store is then read to count what synced and
// whether any answer was `duplicate`. How long the worker then takes to fold its answers log
// into the entries is timed apart.

import { newUlid } from '#protocol/ids/ulid.ts';
import { makeOperation } from '#protocol/ops/make-operation.ts';
import { CHANNEL } from '../../../web/device/messages.ts';
import { OutboxDb } from '../../../web/device/outbox-db.ts';
import { OutboxStore } from '../../../web/device/outbox-store.ts';
import { laneOf } from '../../../web/device/outbox-types.ts';

const VENUE = 'demo-bistro';

function txDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

function openRaw(name) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function ready() {
  await navigator.serviceWorker.register('/sw.js');
  await navigator.serviceWorker.ready;
  return navigator.serviceWorker.controller !== null;
}

async function signIn(pin) {
  const res = await fetch('/v1/auth/staff', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ venueId: VENUE, pin }),
  });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  return (await res.json()).principal;
}

/** Ops as a screen makes them: service requests over the venue's 12 tables. */
async function makeOps(count, deviceId, principal) {
  const ops = [];
  for (let i = 0; i < count; i++) {
    ops.push(
      await makeOperation({
        type: 'serviceRequest.create',
        payload: {
          requestId: newUlid(),
          tableId: `table-${1 + (i % 12)}`,
          kind: 'water',
        },
        deviceId,
        tenantId: principal.tenantId,
        venueId: principal.venueId,
        actorId: principal.actorId,
      }),
    );
  }
  return ops;
}

/**
 * Empties the outbox, then queues `count` new ops as `add` would leave them. Returns how long
 * the raw write took (one strictly durable transaction, like the outbox's).
 */
async function fillOutbox(count, deviceId, principal) {
  (await OutboxDb.open()).close(); // the schema, made the app's way
  const ops = await makeOps(count, deviceId, principal);
  const db = await openRaw('hearth-outbox');
  try {
    const clear = db.transaction(['ops', 'answers'], 'readwrite');
    clear.objectStore('ops').clear();
    clear.objectStore('answers').clear();
    await txDone(clear);
    const now = Date.now();
    const entries = ops.map((op) => ({
      opId: op.opId,
      op,
      lane: laneOf(op.type, op.payload),
      status: 'pending',
      tries: 0,
      nextAttemptAt: now,
      lastError: null,
      result: null,
      createdAt: now,
      settledAt: null,
    }));
    const started = performance.now();
    const tx = db.transaction('ops', 'readwrite', { durability: 'strict' });
    const store = tx.objectStore('ops');
    for (const entry of entries) store.add(entry);
    await txDone(tx);
    return { fillMs: performance.now() - started, opIds: ops.map((op) => op.opId) };
  } finally {
    db.close();
  }
}

function countAnswers(db) {
  return new Promise((resolve, reject) => {
    const request = db.transaction('answers').objectStore('answers').count();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** "Online": asks the worker to replay and times it until all `count` ops are synced. */
async function drain(count, timeoutMs) {
  const controller = navigator.serviceWorker.controller;
  if (!controller) throw new Error('no service worker controls the bench page');
  const channel = new BroadcastChannel(CHANNEL);
  let ends = 0;
  const over = new Promise((resolve) => {
    channel.onmessage = (event) => {
      const message = event.data;
      if (message?.type !== 'replay-progress' || message.sent !== message.total) return;
      if (message.total >= count) resolve(performance.now());
      else if (message.total > 0) ends++;
    };
  });
  const started = performance.now();
  controller.postMessage({ type: 'replay' });
  const ended = await Promise.race([
    over,
    new Promise((resolve) => setTimeout(() => resolve(null), timeoutMs)),
  ]);
  channel.close();
  // After its last word the worker folds the answers log into the entries (outbox-db.ts):
  // not part of the drain (every read is already right), but timed here to be seen.
  let foldedMs = null;
  if (ended !== null) {
    const db = await openRaw('hearth-outbox');
    try {
      for (let i = 0; i < 1000 && (await countAnswers(db)) > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      foldedMs = performance.now() - ended;
    } finally {
      db.close();
    }
  }
  const store = await OutboxStore.open();
  try {
    const list = await store.list();
    const byStatus = {};
    for (const entry of list) byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
    return {
      ms: ended === null ? null : ended - started,
      foldedMs,
      byStatus,
      partialPasses: ends,
      duplicates: list.filter((entry) => entry.result?.status === 'duplicate').length,
      lastError: list.find((entry) => entry.lastError)?.lastError ?? null,
    };
  } finally {
    store.close();
  }
}

/** The server alone: the same 1,000 ops' worth of batches POSTed from the page, no IndexedDB. */
async function directBatches(count, batchSize, deviceId, principal) {
  const ops = await makeOps(count, deviceId, principal);
  const started = performance.now();
  let notApplied = 0;
  for (let i = 0; i < ops.length; i += batchSize) {
    const res = await fetch(`/v1/venues/${VENUE}/ops/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ deviceId, ops: ops.slice(i, i + batchSize) }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    const body = await res.json();
    notApplied += res.ok ? body.results.filter((r) => r.status !== 'applied').length : batchSize;
  }
  return { ms: performance.now() - started, notApplied };
}

let worker;
let nextCall = 0;
const calls = new Map();

/** Runs a measurement in the bench's dedicated worker (bench-worker.js). */
function inWorker(kind, args) {
  if (!worker) {
    worker = new Worker('/bench/worker.js', { type: 'module' });
    worker.onmessage = (event) => {
      const { id, ok, result, error } = event.data;
      const call = calls.get(id);
      calls.delete(id);
      if (ok) call?.resolve(result);
      else call?.reject(new Error(error));
    };
  }
  const id = ++nextCall;
  return new Promise((resolve, reject) => {
    calls.set(id, { resolve, reject });
    worker.postMessage({ id, kind, args });
  });
}

globalThis.bench = { ready, signIn, fillOutbox, drain, directBatches, inWorker };
