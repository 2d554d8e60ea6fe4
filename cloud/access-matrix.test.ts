import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTokenSigner,
  type EcPublicJwk,
  type EntityChange,
  type EntityKind,
  GUEST_SCOPES,
  generateTokenKeyPair,
  makeOperation,
  newUlid,
  type Operation,
  SCOPES,
  type Scope,
  STAFF_SCOPES,
  sha256Hex,
  type TokenClaims,
} from '#protocol';
import { pinDigest } from './auth/pin-digest.ts';
import { setupPairingCode } from './devices/setup-code.ts';
import { createLiveRoute } from './feed/live-socket.ts';
import { DEMO, demoTableId, demoTenantChanges } from './seed/demo-seed.ts';
import { type PairedTestDevice, pairTestDevice } from './testing/devices.ts';
import { makeTestApp, type TestApp } from './testing/test-app.ts';

// The access matrix of the cloud API: every route (and the live websocket) × every kind of
// caller × the venue in the request. Every caller belongs to the demo venue (`demo-bistro`,
// tenant `demo`); the target is that venue (`own`), another venue of the same tenant
// (`otherVenue`) or a venue of another tenant (`otherTenant`).
//
// A cell is `'<status>'` or `'<status> <code>'`: the problem+json `code`, or for the batch lane
// (always 200) the first result's `status[:code]`. Every request is well formed for its caller
// (a valid op by the caller's own actor id for the path's venue, a valid cursor of the path's
// venue for the caller's scopes, …), so the cell shows access control and business rules, not
// validation. Sign-in and enrollment need no token: there the row's token is sent and ignored,
// and the body carries what that caller knows (its own PIN, its table's label, an enrollment
// token of the target venue).
//
// Besides the status, every cell asserts 0 leaks: no header or body byte may name anything of a
// venue other than the caller's own (ids, names, labels, order and op ids, relays, devices).

// biome-ignore format: the table is aligned by hand
const MATRIX = {
  // Sent from a tablet paired with the demo venue (decision 034): elsewhere it is not paired,
  // which is answered before any PIN is tried.
  'POST /v1/auth/staff': {
    anonymous:      { own: '401 PIN_INVALID',           otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    forged:         { own: '401 PIN_INVALID',           otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    expired:        { own: '401 PIN_INVALID',           otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    guest:          { own: '401 PIN_INVALID',           otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    server:         { own: '200',                       otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    kitchen:        { own: '200',                       otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    manager:        { own: '200',                       otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    owner:          { own: '200',                       otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    relay:          { own: '401 PIN_INVALID',           otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
    managerByRelay: { own: '200',                       otherVenue: '403 DEVICE_NOT_PAIRED', otherTenant: '403 DEVICE_NOT_PAIRED' },
  },
  'POST /v1/auth/guest': {
    anonymous:      { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    forged:         { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    expired:        { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    guest:          { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    server:         { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    kitchen:        { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    manager:        { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    owner:          { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    relay:          { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
    managerByRelay: { own: '200',                       otherVenue: '404 TABLE_NOT_FOUND', otherTenant: '404 TABLE_NOT_FOUND' },
  },
  'POST /v1/venues/:venueId/ops': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '422 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '403 ACTOR_TOKEN_REQUIRED',  otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  'POST /v1/venues/:venueId/ops/batch': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '200 applied',               otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '200 applied',               otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '200 rejected:FORBIDDEN',    otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '200 applied',               otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '200 applied',               otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '403 ACTOR_TOKEN_REQUIRED',  otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '200 applied',               otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  // The op looked up is one the guest row made at its table (own) or one made by the target
  // venue's own staff (other venue, other tenant).
  'GET /v1/venues/:venueId/ops/:opId': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  'GET /v1/venues/:venueId/snapshot': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  'GET /v1/venues/:venueId/feed': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  // Every check runs before the upgrade; with them passed and no Bun server to upgrade, 501.
  'GET /v1/venues/:venueId/live': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '501 WEBSOCKET_UNAVAILABLE', otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '501 WEBSOCKET_UNAVAILABLE', otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '501 WEBSOCKET_UNAVAILABLE', otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '501 WEBSOCKET_UNAVAILABLE', otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '501 WEBSOCKET_UNAVAILABLE', otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '501 WEBSOCKET_UNAVAILABLE', otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '501 WEBSOCKET_UNAVAILABLE', otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  'PUT /v1/venues/:venueId/checkpoints/:deviceId': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '204',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '204',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '204',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '204',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '204',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '204',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  'POST /v1/venues/:venueId/edge/nodes': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  // The one-time enrollment token (of the target venue, fresh per cell) is the credential: it
  // works whoever sends it, and answers with that venue's ids (so no leak check on this row).
  'POST /v1/edge/enroll': {
    anonymous:      { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    forged:         { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    expired:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    guest:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    server:         { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    kitchen:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    manager:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    owner:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    relay:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    managerByRelay: { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
  },
  'POST /v1/venues/:venueId/edge/ack': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '204',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  'POST /v1/venues/:venueId/edge/heartbeat': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '204',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '403 RELAY_ONLY',            otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  'GET /v1/venues/:venueId/resilience': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  'POST /v1/venues/:venueId/devices/pairings': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '201',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  // A pairing code of the target venue (fresh per cell) is the credential: it works whoever
  // sends it, and answers with that venue's ids (so no leak check on this row's own venue).
  'POST /v1/devices/pair': {
    anonymous:      { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    forged:         { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    expired:        { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    guest:          { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    server:         { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    kitchen:        { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    manager:        { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    owner:          { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    relay:          { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
    managerByRelay: { own: '201',                       otherVenue: '201',                 otherTenant: '201' },
  },
  'GET /v1/venues/:venueId/devices': {
    anonymous:      { own: '401 AUTH_REQUIRED',         otherVenue: '401 AUTH_REQUIRED',   otherTenant: '401 AUTH_REQUIRED' },
    forged:         { own: '401 TOKEN_INVALID',         otherVenue: '401 TOKEN_INVALID',   otherTenant: '401 TOKEN_INVALID' },
    expired:        { own: '401 TOKEN_EXPIRED',         otherVenue: '401 TOKEN_EXPIRED',   otherTenant: '401 TOKEN_EXPIRED' },
    guest:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    server:         { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    kitchen:        { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    manager:        { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    owner:          { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    relay:          { own: '403 FORBIDDEN',             otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
    managerByRelay: { own: '200',                       otherVenue: '403 FORBIDDEN',       otherTenant: '403 FORBIDDEN' },
  },
  // No venue in the path: the three columns are the same request.
  'GET /healthz': {
    anonymous:      { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    forged:         { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    expired:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    guest:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    server:         { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    kitchen:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    manager:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    owner:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    relay:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    managerByRelay: { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
  },
  'GET /metrics': {
    anonymous:      { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    forged:         { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    expired:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    guest:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    server:         { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    kitchen:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    manager:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    owner:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    relay:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    managerByRelay: { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
  },
  'GET /openapi.json': {
    anonymous:      { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    forged:         { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    expired:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    guest:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    server:         { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    kitchen:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    manager:        { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    owner:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    relay:          { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
    managerByRelay: { own: '200',                       otherVenue: '200',                 otherTenant: '200' },
  },
} as const satisfies Record<string, Record<Role, Record<Target, string>>>;

/**
 * Cells where the code disagrees with the contract (docs/protocol.md, "Scopes and roles"). The
 * table keeps the contract; these cells run as `it.fails` until the code is fixed, then the
 * entry goes.
 */
const KNOWN_DEVIATIONS: Readonly<Record<string, string>> = {};

// ---------------------------------------------------------------------------------------------

/**
 * The callers, all of the demo venue: no token, a token signed with a key that is not the
 * cloud's, an expired manager token, a guest at table 1, the four staff roles, the venue's
 * enrolled relay, and a manager token issued offline by that relay (kid `relay:<nodeId>`).
 */
type Role =
  | 'anonymous'
  | 'forged'
  | 'expired'
  | 'guest'
  | 'server'
  | 'kitchen'
  | 'manager'
  | 'owner'
  | 'relay'
  | 'managerByRelay';
type Target = 'own' | 'otherVenue' | 'otherTenant';
type Route = keyof typeof MATRIX;

const ROLES: readonly Role[] = [
  'anonymous',
  'forged',
  'expired',
  'guest',
  'server',
  'kitchen',
  'manager',
  'owner',
  'relay',
  'managerByRelay',
];
const TARGETS: readonly Target[] = ['own', 'otherVenue', 'otherTenant'];

/** A venue of the matrix; for the foreign ones every string here is a leak marker. */
interface VenueFixture {
  readonly tenantId: string;
  readonly venueId: string;
  readonly name: string;
  readonly tableId: string;
  readonly tableLabel: string;
  /** A staff member of that venue who places an order there while the world is built. */
  readonly memberId: string;
  readonly pin: string;
  readonly orderId: string;
  readonly relayName: string;
  readonly deviceId: string;
  /** Strings only this tenant has (tenant-wide data is shared by a tenant's venues). */
  readonly tenantMarkers: readonly string[];
}

const VENUES: Readonly<Record<Target, VenueFixture>> = {
  own: {
    tenantId: DEMO.tenantId,
    venueId: DEMO.venueId,
    name: DEMO.venueName,
    tableId: demoTableId('1'),
    tableLabel: '1',
    memberId: 'demo-server',
    pin: DEMO.pins.server,
    orderId: 'bistro-order-of-the-guest',
    relayName: 'bistro-relay',
    deviceId: 'bistro-till',
    tenantMarkers: [],
  },
  otherVenue: {
    tenantId: DEMO.tenantId,
    venueId: 'demo-harbour-q7',
    name: 'Harbour Q7 Bar',
    tableId: 'harbour-q7-table',
    tableLabel: 'Harbour Q7 Terrace',
    memberId: 'harbour-q7-server',
    pin: '575757',
    orderId: 'harbour-q7-order',
    relayName: 'harbour-q7-relay',
    deviceId: 'harbour-q7-till',
    tenantMarkers: [],
  },
  otherTenant: {
    tenantId: 'rival-k3',
    venueId: 'rival-k3-diner',
    name: 'Rival K3 Diner',
    tableId: 'rival-k3-table',
    tableLabel: 'Rival K3 Booth',
    memberId: 'rival-k3-server',
    pin: '393939',
    orderId: 'rival-k3-order',
    relayName: 'rival-k3-relay',
    deviceId: 'rival-k3-till',
    tenantMarkers: ['rival-k3-specials', 'Rival K3 Specials'],
  },
};

interface World {
  readonly t: TestApp;
  /** A tablet paired with the demo venue: staff sign in on it. */
  readonly tablet: PairedTestDevice;
  /** Bearer token per role (none for anonymous). */
  readonly tokens: Readonly<Record<Role, string | undefined>>;
  /** The actor id each role signs its ops with. */
  readonly actors: Readonly<Record<Role, string>>;
  /** An op made in each venue while building the world: the guest's own, the others' staff's. */
  readonly opIds: Readonly<Record<Target, string>>;
  /** Strings that exist only in each foreign venue's data (ids made at runtime included). */
  readonly markers: Readonly<Record<Foreign, readonly string[]>>;
  /** A server's and a manager's token of each foreign venue: the ones who may see its data. */
  readonly foreignStaff: Readonly<Record<Foreign, { server: string; manager: string }>>;
}

type Foreign = Exclude<Target, 'own'>;

const AT = '2026-11-23T19:00:00.000Z';
const OCCURRED_AT = '2026-11-23T19:29:00.000Z';

function upsert(entity: EntityKind, data: Record<string, unknown> & { id: string }): EntityChange {
  return {
    entity,
    id: data.id,
    op: 'upsert',
    data: { ...data, version: 1 },
    version: 1,
  } as unknown as EntityChange;
}

async function publicJwk(key: CryptoKey): Promise<EcPublicJwk> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', key);
  return { kty: kty ?? '', crv: crv ?? '', x: x ?? '', y: y ?? '' } as EcPublicJwk;
}

/** An edge node of `venue` with a fresh one-time enrollment token; returns the token. */
async function pendingNode(t: TestApp, venue: VenueFixture, name: string) {
  const nodeId = newUlid();
  const enrollmentToken = `enroll-${newUlid()}-${newUlid()}`;
  await t.store.createEdgeNode(
    {
      nodeId,
      tenantId: venue.tenantId,
      venueId: venue.venueId,
      name,
      status: 'pending',
      publicKeyJwk: null,
      createdAt: AT,
      enrolledAt: null,
      ackedSeq: 0,
      lastSeenAt: null,
      heartbeat: null,
    },
    {
      tokenDigest: await sha256Hex(enrollmentToken),
      nodeId,
      expiresAt: '2026-11-24T00:00:00.000Z',
      usedAt: null,
    },
  );
  return { nodeId, enrollmentToken };
}

function json(method: string, body: unknown, headers: Record<string, string>): RequestInit {
  return {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** The demo app with real ES256 tokens, the live route, two foreign venues and every caller. */
async function makeWorld(): Promise<World> {
  const t = await makeTestApp({ realTokens: true });
  createLiveRoute(t.deps).route(t.app);
  const iat = Math.floor(t.clock.now().getTime() / 1000);
  const sign = (claims: Record<string, unknown>) =>
    t.keys.signer.sign({ iat, exp: iat + 3600, ...claims } as TokenClaims);
  const own = VENUES.own;

  // The foreign venues: their own venue entity and table, the tenant's menu, a staff member who
  // places an order, an enrolled relay and a device checkpoint.
  const markers: Record<string, string[]> = {};
  const foreignStaff: Record<string, { server: string; manager: string }> = {};
  const opIds: Partial<Record<Target, string>> = {};
  for (const target of ['otherVenue', 'otherTenant'] as const) {
    const v = VENUES[target];
    if (v.tenantId !== own.tenantId)
      await t.store.createTenant({ tenantId: v.tenantId, name: v.name });
    await t.store.createVenue({ tenantId: v.tenantId, venueId: v.venueId, name: v.name });
    await t.store.transact(v.tenantId, (tx) =>
      tx.append(
        v.venueId,
        [
          ...demoTenantChanges(v.tenantId),
          ...(v.tenantId === own.tenantId
            ? []
            : [
                upsert('menuCategory', {
                  id: 'rival-k3-specials',
                  name: 'Rival K3 Specials',
                  position: 9,
                }),
              ]),
          upsert('venue', {
            id: v.venueId,
            tenantId: v.tenantId,
            name: v.name,
            timezone: 'Europe/Amsterdam',
          }),
          upsert('table', { id: v.tableId, label: v.tableLabel, seats: 4 }),
        ],
        { at: AT },
      ),
    );
    await t.store.putStaffCredential({
      tenantId: v.tenantId,
      venueId: v.venueId,
      memberId: v.memberId,
      name: `${v.name} server`,
      role: 'server',
      pinDigest: await pinDigest(t.deps.pinKey, v.venueId, v.pin),
    });
    const op = await makeOperation({
      type: 'order.create',
      payload: { orderId: v.orderId, tableId: v.tableId },
      deviceId: v.deviceId,
      tenantId: v.tenantId,
      venueId: v.venueId,
      actorId: v.memberId,
      occurredAt: OCCURRED_AT,
    });
    const venueScope = { tenantId: v.tenantId, venueId: v.venueId };
    const token = await sign({ kind: 'staff', sub: v.memberId, role: 'server', ...venueScope });
    foreignStaff[target] = {
      server: token,
      manager: await sign({
        kind: 'staff',
        sub: `${v.memberId}-manager`,
        role: 'manager',
        ...venueScope,
      }),
    };
    const placed = await t.app.request(
      `/v1/venues/${v.venueId}/ops`,
      json('POST', op, { Authorization: `Bearer ${token}`, 'Idempotency-Key': op.opId }),
    );
    expect(placed.status).toBe(201);
    opIds[target] = op.opId;
    const node = await pendingNode(t, v, v.relayName);
    const pair = await generateTokenKeyPair();
    await t.store.redeemEnrollmentToken(
      await sha256Hex(node.enrollmentToken),
      AT,
      JSON.stringify(await publicJwk(pair.publicKey)),
    );
    const venue = await t.store.getVenue(v.venueId);
    if (!venue) throw new Error('venue not created');
    const head = await t.store.head(v.venueId);
    await t.store.putCheckpoint({
      venueId: v.venueId,
      deviceId: v.deviceId,
      cursor: await t.deps.cursors.issue(venue, head, [...SCOPES]),
      seq: head,
      outboxDepth: 3,
      oldestPendingAt: null,
      failedOps: 1,
      updatedAt: AT,
    });
    markers[target] = [
      v.venueId,
      v.name,
      v.tableId,
      v.tableLabel,
      v.memberId,
      v.orderId,
      op.opId,
      v.relayName,
      node.nodeId,
      v.deviceId,
      ...(v.tenantId === own.tenantId ? [] : [v.tenantId]),
      ...v.tenantMarkers,
    ];
  }

  // The demo venue's relay, enrolled with its own key pair, and the callers.
  const relayNode = await pendingNode(t, own, own.relayName);
  const relayKeys = await generateTokenKeyPair();
  await t.store.redeemEnrollmentToken(
    await sha256Hex(relayNode.enrollmentToken),
    AT,
    JSON.stringify(await publicJwk(relayKeys.publicKey)),
  );
  const relaySigner = createTokenSigner({
    privateKey: relayKeys.privateKey,
    kid: `relay:${relayNode.nodeId}`,
  });
  const forger = createTokenSigner({
    privateKey: (await generateTokenKeyPair()).privateKey,
    kid: 'cloud-1',
  });
  const scope = { tenantId: own.tenantId, venueId: own.venueId };
  const staff = (role: string) => sign({ kind: 'staff', sub: `demo-${role}`, role, ...scope });
  const guestSession = newUlid();
  const tokens: Record<Role, string | undefined> = {
    anonymous: undefined,
    forged: await forger.sign({
      kind: 'staff',
      sub: 'demo-manager',
      role: 'manager',
      ...scope,
      iat,
      exp: iat + 3600,
    }),
    expired: await t.keys.signer.sign({
      kind: 'staff',
      sub: 'demo-manager',
      role: 'manager',
      ...scope,
      iat: iat - 7200,
      exp: iat - 3600,
    }),
    guest: await sign({ kind: 'guest', sub: guestSession, tableId: own.tableId, ...scope }),
    server: await staff('server'),
    kitchen: await staff('kitchen'),
    manager: await staff('manager'),
    owner: await staff('owner'),
    relay: await sign({ kind: 'relay', sub: relayNode.nodeId, ...scope }),
    managerByRelay: await relaySigner.sign({
      kind: 'staff',
      sub: 'demo-manager',
      role: 'manager',
      ...scope,
      iat,
      exp: iat + 3600,
    }),
  };
  const actors: Record<Role, string> = {
    anonymous: 'demo-manager',
    forged: 'demo-manager',
    expired: 'demo-manager',
    guest: guestSession,
    server: 'demo-server',
    kitchen: 'demo-kitchen',
    manager: 'demo-manager',
    owner: 'demo-owner',
    relay: relayNode.nodeId,
    managerByRelay: 'demo-manager',
  };

  // The guest's own order at table 1: the op the own column of `GET …/ops/:opId` looks up.
  const guestOp = await makeOperation({
    type: 'order.create',
    payload: { orderId: own.orderId, tableId: own.tableId },
    deviceId: 'guest-phone',
    ...scope,
    actorId: guestSession,
    occurredAt: OCCURRED_AT,
  });
  const placed = await t.app.request(
    `/v1/venues/${own.venueId}/ops`,
    json('POST', guestOp, {
      Authorization: `Bearer ${tokens.guest}`,
      'Idempotency-Key': guestOp.opId,
    }),
  );
  expect(placed.status).toBe(201);
  opIds.own = guestOp.opId;

  return {
    t,
    tablet: await pairTestDevice(t, { deviceId: 'bistro-tablet' }),
    tokens,
    actors,
    opIds: opIds as Record<Target, string>,
    markers: markers as Record<Foreign, string[]>,
    foreignStaff: foreignStaff as Record<Foreign, { server: string; manager: string }>,
  };
}

function auth(w: World, role: Role): Record<string, string> {
  const token = w.tokens[role];
  return token === undefined ? {} : { Authorization: `Bearer ${token}` };
}

/** A cursor of the target venue for the scopes the caller reads by default. */
async function cursorFor(w: World, role: Role, target: Target): Promise<string> {
  const venue = await w.t.store.getVenue(VENUES[target].venueId);
  if (!venue) throw new Error('no venue');
  // Servers and kitchens read every scope but the paired devices (decision 034).
  const scopes: readonly Scope[] =
    role === 'guest'
      ? GUEST_SCOPES
      : role === 'server' || role === 'kitchen'
        ? STAFF_SCOPES
        : SCOPES;
  return w.t.deps.cursors.issue(venue, await w.t.store.head(venue.venueId), [...scopes]);
}

/** A well-formed order.create by the caller, for the target venue, from a fresh device. */
function orderBy(w: World, role: Role, target: Target): Promise<Operation> {
  const v = VENUES[target];
  return makeOperation({
    type: 'order.create',
    // A guest may only order for their own table; staff order for any table of the venue.
    payload: {
      orderId: `order-${newUlid()}`,
      tableId: role === 'guest' ? VENUES.own.tableId : v.tableId,
    },
    deviceId: `device-${role}`,
    tenantId: v.tenantId,
    venueId: v.venueId,
    actorId: w.actors[role],
    occurredAt: OCCURRED_AT,
  });
}

/** What each route's cell sends: [path, init]. */
const REQUESTS: Record<
  Route,
  (w: World, role: Role, target: Target) => Promise<[string, RequestInit]>
> = {
  'POST /v1/auth/staff': async (w, role, target) => {
    // Staff know their own PIN at their own venue; everyone else tries a PIN that is no one's.
    const known: Partial<Record<Role, string>> = {
      ...DEMO.pins,
      managerByRelay: DEMO.pins.manager,
    };
    const body = { venueId: VENUES[target].venueId, pin: known[role] ?? '0000' };
    return ['/v1/auth/staff', json('POST', body, { ...auth(w, role), ...w.tablet.header })];
  },
  'POST /v1/auth/guest': async (w, role, target) => [
    '/v1/auth/guest',
    json('POST', { venueId: VENUES[target].venueId, table: VENUES.own.tableLabel }, auth(w, role)),
  ],
  'POST /v1/venues/:venueId/ops': async (w, role, target) => {
    const op = await orderBy(w, role, target);
    return [
      `/v1/venues/${VENUES[target].venueId}/ops`,
      json('POST', op, { ...auth(w, role), 'Idempotency-Key': op.opId }),
    ];
  },
  'POST /v1/venues/:venueId/ops/batch': async (w, role, target) => {
    const op = await orderBy(w, role, target);
    return [
      `/v1/venues/${VENUES[target].venueId}/ops/batch`,
      json('POST', { deviceId: op.deviceId, ops: [op] }, auth(w, role)),
    ];
  },
  'GET /v1/venues/:venueId/ops/:opId': async (w, role, target) => [
    `/v1/venues/${VENUES[target].venueId}/ops/${w.opIds[target]}`,
    { headers: auth(w, role) },
  ],
  'GET /v1/venues/:venueId/snapshot': async (w, role, target) => [
    `/v1/venues/${VENUES[target].venueId}/snapshot`,
    { headers: auth(w, role) },
  ],
  'GET /v1/venues/:venueId/feed': async (w, role, target) => {
    const cursor = encodeURIComponent(await cursorFor(w, role, target));
    return [
      `/v1/venues/${VENUES[target].venueId}/feed?cursor=${cursor}&wait=0`,
      { headers: auth(w, role) },
    ];
  },
  'GET /v1/venues/:venueId/live': async (w, role, target) => {
    const cursor = encodeURIComponent(await cursorFor(w, role, target));
    return [
      `/v1/venues/${VENUES[target].venueId}/live?cursor=${cursor}`,
      { headers: { ...auth(w, role), Upgrade: 'websocket' } },
    ];
  },
  'PUT /v1/venues/:venueId/checkpoints/:deviceId': async (w, role, target) => {
    const body = { cursor: await cursorFor(w, role, target), outboxDepth: 0, failedOps: 0 };
    return [
      `/v1/venues/${VENUES[target].venueId}/checkpoints/device-${role}`,
      json('PUT', body, auth(w, role)),
    ];
  },
  'POST /v1/venues/:venueId/edge/nodes': async (w, role, target) => [
    `/v1/venues/${VENUES[target].venueId}/edge/nodes`,
    json('POST', { name: 'back-office relay' }, auth(w, role)),
  ],
  'POST /v1/edge/enroll': async (w, role, target) => {
    const { enrollmentToken } = await pendingNode(w.t, VENUES[target], 'new relay');
    const publicKeyJwk = await publicJwk((await generateTokenKeyPair()).publicKey);
    return ['/v1/edge/enroll', json('POST', { enrollmentToken, publicKeyJwk }, auth(w, role))];
  },
  'POST /v1/venues/:venueId/edge/ack': async (w, role, target) => [
    `/v1/venues/${VENUES[target].venueId}/edge/ack`,
    json('POST', { cursor: await cursorFor(w, role, target) }, auth(w, role)),
  ],
  'POST /v1/venues/:venueId/edge/heartbeat': async (w, role, target) => {
    const heartbeat = {
      version: 'test',
      connectivity: 'online',
      journalDepth: 0,
      oldestUnsyncedAt: null,
      connectedDevices: 2,
      transitions: [],
    };
    return [
      `/v1/venues/${VENUES[target].venueId}/edge/heartbeat`,
      json('POST', heartbeat, auth(w, role)),
    ];
  },
  'GET /v1/venues/:venueId/resilience': async (w, role, target) => [
    `/v1/venues/${VENUES[target].venueId}/resilience`,
    { headers: auth(w, role) },
  ],
  'POST /v1/venues/:venueId/devices/pairings': async (w, role, target) => [
    `/v1/venues/${VENUES[target].venueId}/devices/pairings`,
    json('POST', { role: 'floor' }, auth(w, role)),
  ],
  'POST /v1/devices/pair': async (w, role, target) => {
    const v = VENUES[target];
    const { code } = await setupPairingCode(w.t.keys.signer, {
      tenantId: v.tenantId,
      venueId: v.venueId,
      role: 'floor',
      origin: 'http://localhost',
      nowMs: w.t.clock.now().getTime(),
    });
    const body = { code, deviceId: `new-tablet-${newUlid()}`, name: 'New tablet' };
    return ['/v1/devices/pair', json('POST', body, auth(w, role))];
  },
  'GET /v1/venues/:venueId/devices': async (w, role, target) => [
    `/v1/venues/${VENUES[target].venueId}/devices`,
    { headers: auth(w, role) },
  ],
  'GET /healthz': async (w, role) => ['/healthz', { headers: auth(w, role) }],
  'GET /metrics': async (w, role) => ['/metrics', { headers: auth(w, role) }],
  'GET /openapi.json': async (w, role) => ['/openapi.json', { headers: auth(w, role) }],
};

/** The cell's value for a response: status, and the problem code or the batch result. */
function outcomeOf(res: Response, text: string): string {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('application/problem+json')) {
    return `${res.status} ${(JSON.parse(text) as { code: string }).code}`;
  }
  if (type.includes('application/json') && text.length > 0) {
    const body = JSON.parse(text) as { results?: { status: string; code?: string }[] };
    const first = body.results?.[0];
    if (first) return `${res.status} ${first.status}${first.code ? `:${first.code}` : ''}`;
  }
  return String(res.status);
}

/** The foreign markers a response to this cell must not contain. */
function forbiddenMarkers(w: World, route: Route, target: Target): string[] {
  return (
    (['otherVenue', 'otherTenant'] as const)
      // Enrolling with the target's own one-time token makes the sender that venue's relay.
      .filter(
        (venue) =>
          !(
            (route === 'POST /v1/edge/enroll' || route === 'POST /v1/devices/pair') &&
            venue === target
          ),
      )
      .flatMap((venue) => w.markers[venue])
  );
}

const ROUTES = Object.keys(MATRIX) as Route[];

describe('the access matrix', () => {
  it('has a cell for every route × caller × venue', () => {
    expect(ROUTES).toEqual(Object.keys(REQUESTS));
    const cells = ROUTES.flatMap((route) =>
      ROLES.flatMap((role) => TARGETS.map((target) => MATRIX[route][role][target])),
    );
    expect(cells).toHaveLength(20 * 10 * 3);
    for (const key of Object.keys(KNOWN_DEVIATIONS)) {
      const [route, role, target] = key.split(' | ') as [Route, Role, Target];
      expect(MATRIX[route]?.[role]?.[target], key).toBeDefined();
    }
  });

  for (const route of ROUTES) {
    describe(route, () => {
      let w: World;
      // A fresh world per route: PIN attempt windows, rate limits and created nodes stay apart.
      beforeAll(async () => {
        w = await makeWorld();
      });

      for (const role of ROLES) {
        for (const target of TARGETS) {
          const expected = MATRIX[route][role][target];
          const deviation = KNOWN_DEVIATIONS[`${route} | ${role} | ${target}`];
          (deviation ? it.fails : it)(`${role} → ${target}: ${expected}`, async () => {
            const [path, init] = await REQUESTS[route](w, role, target);
            const res = await w.t.app.request(path, init);
            const text = await res.text();
            // 0 leaks, whatever the status: headers and body name nothing of a foreign venue.
            const seen = `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`;
            const leaked = forbiddenMarkers(w, route, target).filter((m) => seen.includes(m));
            expect(leaked, `${route} to ${role} about ${target} leaks`).toEqual([]);
            expect(outcomeOf(res, text)).toBe(expected);
          });
        }
      }
    });
  }
});

describe('0 leaks beyond the matrix', () => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld();
  });

  it("the markers are real: the foreign venues' own staff see every one of them", async () => {
    for (const venue of ['otherVenue', 'otherTenant'] as const) {
      const v = VENUES[venue];
      const { server, manager } = w.foreignStaff[venue];
      const seen = [
        [`/v1/venues/${v.venueId}/snapshot`, server],
        [`/v1/venues/${v.venueId}/ops/${w.opIds[venue]}`, server],
        [`/v1/venues/${v.venueId}/resilience`, manager],
      ] as const;
      let text = '';
      for (const [path, token] of seen) {
        const res = await w.t.app.request(path, { headers: { Authorization: `Bearer ${token}` } });
        expect(res.status, path).toBe(200);
        text += await res.text();
      }
      expect(w.markers[venue].filter((m) => !text.includes(m))).toEqual([]);
    }
  });

  // Keys are scoped by tenant (docs/protocol.md, "Operations"), but the stored first result is
  // another venue's: replaying it to a caller of this venue hands over the other venue's result
  // (its stream seq, its time), and reports an op as applied that this venue never applied.
  const replayOfOtherVenuesOp = async () => {
    const v = VENUES.otherVenue;
    return makeOperation({
      type: 'order.create',
      payload: { orderId: v.orderId, tableId: v.tableId },
      deviceId: 'device-server',
      tenantId: DEMO.tenantId,
      venueId: DEMO.venueId,
      actorId: 'demo-server',
      opId: w.opIds.otherVenue,
      occurredAt: OCCURRED_AT,
    });
  };

  it("POST …/ops with another venue's opId does not replay its result", async () => {
    const op = await replayOfOtherVenuesOp();
    const res = await w.t.app.request(
      `/v1/venues/${DEMO.venueId}/ops`,
      json('POST', op, { ...auth(w, 'server'), 'Idempotency-Key': op.opId }),
    );
    const text = await res.text();
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(text).not.toContain('"status":"applied"');
  });

  it("POST …/ops/batch with another venue's opId does not replay its result", async () => {
    const op = await replayOfOtherVenuesOp();
    const res = await w.t.app.request(
      `/v1/venues/${DEMO.venueId}/ops/batch`,
      json('POST', { deviceId: op.deviceId, ops: [op] }, auth(w, 'server')),
    );
    const body = (await res.json()) as { results: { status: string }[] };
    expect(body.results[0]?.status).not.toBe('duplicate');
    expect(JSON.stringify(body)).not.toContain('"status":"applied"');
  });
});
