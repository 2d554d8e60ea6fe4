/**
 * Hearth's protocol: the wire contract (zod schemas with their types) and the pure domain
 * rules shared by the cloud, the relay and the browser. No I/O; imports only zod and ulid.
 */

export { actorOf } from './auth/actor.ts';
export { GuestSignInRequest, StaffSignInRequest, TokenResponse } from './auth/auth-messages.ts';
export {
  credentialDigestOf,
  DEVICE_COOKIE,
  DEVICE_HEADER,
  isDeviceSecret,
  newDeviceSecret,
} from './auth/device-credential.ts';
export {
  DeviceListing,
  DeviceListingRow,
  DevicePaired,
  DevicePairRequest,
  PairingCreated,
  PairingRequest,
} from './auth/device-messages.ts';
export { FailureWindow } from './auth/failure-window.ts';
export { allowedRoles, mayPerform } from './auth/permissions.ts';
export { deriveVenuePinKey, digestPin } from './auth/pin.ts';
export { Principal, roleOf } from './auth/principal.ts';
export { Role, StaffRole } from './auth/role.ts';
export {
  createTokenSigner,
  EcPrivateJwk,
  EcPublicJwk,
  generateTokenKeyPair,
  importTokenSigningKey,
  importTokenVerifyKey,
  PAIRING_TTL_SECONDS,
  type PersonTokenClaims,
  principalOf,
  publicJwkOf,
  SETUP_ISSUER,
  TokenClaims,
  TokenHeader,
  TokenKid,
  type TokenSigner,
  type TokenVerifyResult,
  verifyToken,
} from './auth/token.ts';
export {
  ConnectivityTransition,
  DeviceConnectivity,
  RelayConnectivity,
} from './connectivity/connectivity-state.ts';
export { RELAY_CONNECTIVITY_STATES } from './connectivity/relay-states.ts';
export { decodeBase64Url, encodeBase64Url } from './cursor/base64url.ts';
export {
  Cursor,
  CursorClaims,
  type CursorCodec,
  type CursorDecodeResult,
  createCursorCodec,
  scopeSetHash,
} from './cursor/cursor.ts';
export { admit, decide, decideUnknown } from './decide/decide.ts';
export {
  type DecideContext,
  type Decision,
  isRejection,
  type Rejection,
  reject,
} from './decide/decision.ts';
export { applyOnce, type Ledger, type LedgerRecord, type Settled } from './decide/ledger.ts';
export {
  DEPENDENCY_HOLD_MS,
  type DependencyStatus,
  judgeLocally,
  type LocalVerdict,
} from './decide/local-verdict.ts';
export {
  balanceOf,
  hasPayments,
  offlineCardRefusal,
  outstandingOfflineCards,
} from './decide/payment-deciders.ts';
export { BOOKING_ACTIONS, bookingStep, bookingTransitions } from './domain/booking-machine.ts';
export { type DrawerExpectation, drawerExpected } from './domain/cash-drawer.ts';
export {
  type ByMethod,
  businessDateOf,
  businessDayBounds,
  type DayReport,
  type DayReportInput,
  type DayReportOptions,
  DEFAULT_DAY_START_MINUTES,
  type DeclinedLater,
  type DrawerLine,
  dayReport,
} from './domain/day-report.ts';
export {
  DEVICE_EVENTS,
  DEVICE_STATES,
  type DeviceEvent,
  type DeviceState,
  deviceStateOf,
  deviceStep,
  deviceTransitions,
} from './domain/device-machine.ts';
export {
  DRAWER_EVENTS,
  DRAWER_STATES,
  type DrawerEvent,
  type DrawerState,
  drawerStep,
  drawerTransitions,
} from './domain/drawer-machine.ts';
export {
  allLinesReady,
  courseOf,
  isAllergyNote,
  onThePass,
  RECALL_WINDOW_MS,
  RECENTLY_BUMPED_LIMIT,
  standingLines,
  ticketNumber,
  UNDO_WINDOW_MS,
} from './domain/kitchen-rules.ts';
export {
  DEFAULT_OFFLINE_CARD_LIMITS,
  decideOfflineCard,
  defaultOfflineCardLimits,
  expiredOfflinePayments,
  OFFLINE_CARD_REFUSALS,
  type OfflineCardAlerts,
  OfflineCardAttempt,
  type OfflineCardCountdown,
  type OfflineCardDecision,
  OfflineCardLimits,
  OfflineCardPolicy,
  OfflineCardPolicyFields,
  type OfflineCardRefusalCode,
  OutstandingOfflineCard,
  offlineCardAlerts,
} from './domain/offline-card-limits.ts';
export {
  ORDER_EVENTS,
  type OrderEvent,
  orderStep,
  orderTransitions,
} from './domain/order-machine.ts';
export {
  PAYMENT_EVENTS,
  PAYMENT_STATES,
  type PaymentEvent,
  type PaymentOutcome,
  type PaymentState,
  paymentOutcome,
  paymentStep,
  paymentTransitions,
} from './domain/payment-machine.ts';
export { groupRuleBroken, groupRuleText } from './domain/price-lines.ts';
export {
  REFUND_EVENTS,
  REFUND_STATES,
  type RefundEvent,
  type RefundState,
  refundStep,
  refundTransitions,
} from './domain/refund-machine.ts';
export {
  type RouteOptions,
  routeTickets,
  ticketIdFor,
  ticketLineOf,
  ticketSourceOpId,
} from './domain/route-tickets.ts';
export {
  SERVICE_REQUEST_ACTIONS,
  serviceRequestStep,
  serviceRequestTransitions,
} from './domain/service-request-machine.ts';
export { type BillShare, splitBySeat, splitEvenly } from './domain/split-bill.ts';
export { type Step, step, type TransitionTable } from './domain/state-machine.ts';
export {
  TEAM_MEMBER_EVENTS,
  TEAM_MEMBER_STATES,
  TEAM_SECTION_EVENTS,
  TEAM_SECTION_STATES,
  teamMemberStep,
  teamMemberTransitions,
  teamSectionStep,
  teamSectionTransitions,
} from './domain/team-machine.ts';
export { TICKET_ACTIONS, ticketStep, ticketTransitions } from './domain/ticket-machine.ts';
export {
  AckRequest,
  CreateEdgeNodeRequest,
  CreateEdgeNodeResponse,
  EdgeStaffList,
  EnrollRequest,
  EnrollResponse,
  Heartbeat,
  LanDeviceReport,
  ResilienceReport,
} from './edge/edge-messages.ts';
export { Booking, BookingStatus } from './entities/booking.ts';
export { CredentialDigest, Device, DeviceRole } from './entities/device.ts';
export { DeviceCheckpoint } from './entities/device-checkpoint.ts';
export { Drawer, DrawerPayout } from './entities/drawer.ts';
export {
  type AnyEntity,
  ENTITY_KINDS,
  type EntityKind,
  EntityKindSchema,
  type EntityOf,
  entitySchemas,
  kindInScopes,
  parseScopes,
  SCOPES,
  type Scope,
  ScopeSchema,
  scopeOfKind,
  TENANT_WIDE_KINDS,
} from './entities/entity-kind.ts';
export { MenuCategory } from './entities/menu-category.ts';
export { Allergen, DietaryTag, MenuItem, ModifierGroup } from './entities/menu-item.ts';
export { MenuModifier } from './entities/menu-modifier.ts';
export { LineModifier, Order, OrderLine, OrderStatus, Payment } from './entities/order.ts';
export {
  CardBrand,
  CardEntry,
  CardLast4,
  PaymentRecord,
  PaymentStatus,
  ProcessorReference,
  paymentCharged,
  paymentCounts,
} from './entities/payment.ts';
export { Refund, RefundStatus } from './entities/refund.ts';
export {
  ServiceRequest,
  ServiceRequestKind,
  ServiceRequestStatus,
} from './entities/service-request.ts';
export {
  DEFAULT_GUEST_ORDERING,
  GuestOrdering,
  guestOrderingOf,
  Settings,
  Station,
} from './entities/settings.ts';
export { Table } from './entities/table.ts';
export { TeamMember } from './entities/team-member.ts';
export { TeamSection } from './entities/team-section.ts';
export { Tenant } from './entities/tenant.ts';
export { Ticket, TicketAttention, TicketLine, TicketStatus } from './entities/ticket.ts';
export { Venue } from './entities/venue.ts';
export {
  kindForStatus,
  PROBLEM_CONTENT_TYPE,
  Problem,
  type ProblemExtras,
  ProblemKind,
  problem,
} from './errors/problem.ts';
export { RejectionCode } from './errors/rejection.ts';
export {
  type CursorVerdict,
  checkCursorClaims,
  cursorInvalid,
  type StreamPosition,
} from './feed/cursor-rules.ts';
export { type EntityChange, FeedEntry, FeedPage } from './feed/feed-entry.ts';
export {
  BEARER_SUBPROTOCOL_PREFIX,
  bearerOfSubprotocols,
  LIVE_CLOSE,
  LIVE_SUBPROTOCOL,
  LiveEntriesFrame,
  LiveErrorFrame,
  LiveFrame,
  LiveHeartbeatFrame,
  LiveNoticeFrame,
  liveSubprotocols,
  offeredSubprotocols,
} from './feed/live-frame.ts';
export { type LiveBatch, LiveSession, type ReadRequest } from './feed/live-session.ts';
export {
  type RowRule,
  rowRuleFor,
  TABLE_BOUND_KINDS,
  visibleEntries,
  visibleRecords,
} from './feed/row-rules.ts';
export {
  allowedScopes,
  type FeedReader,
  type FeedRejection,
  GUEST_SCOPES,
  MANAGER_SCOPES,
  resolveScopes,
  type ScopeResolution,
  STAFF_SCOPES,
} from './feed/scope-rules.ts';
export { Snapshot, SnapshotRecord } from './feed/snapshot.ts';
export { CanonicalJsonError, canonicalJson, type JsonValue } from './hash/canonical-json.ts';
export { payloadHash, sha256Hex, toHex } from './hash/sha256.ts';
export { EntityId, Timestamp } from './ids/entity-id.ts';
export { isUlid, newUlid, Ulid, ulidTime } from './ids/ulid.ts';
export {
  BasisPoints,
  CurrencyCode,
  divideRounded,
  MAX_MINOR,
  MinorUnits,
  Money,
  roundToIncrement,
} from './money/money.ts';
export { computeTotals, lineAmount, OrderTotals, type PricingPolicy } from './money/totals.ts';
export {
  hasValidPayloadHash,
  makeOperation,
  type OperationDraft,
  payloadHashMatches,
} from './ops/make-operation.ts';
export { type HttpAnswer, httpAnswerForResult } from './ops/op-http.ts';
export {
  type AppliedResult,
  BatchRequest,
  BatchResponse,
  OpResult,
  type RejectedResult,
} from './ops/op-result.ts';
export { opSubjects } from './ops/op-subjects.ts';
export {
  DeviceId,
  DeviceOperation,
  OPERATION_TYPES,
  Operation,
  type OperationInput,
  type OperationOfType,
  type OperationType,
  OperationTypeSchema,
  type PayloadOf,
  payloadSchemas,
  SERVER_MADE_OPS,
} from './ops/operation.ts';
export {
  type ParseOperationResult,
  parseOperation,
  toIssues,
  type ValidationIssue,
} from './ops/parse-operation.ts';
export { BookingAction } from './ops/payloads/booking-transition.ts';
export { LineInput } from './ops/payloads/line-input.ts';
export { PaymentInput } from './ops/payloads/order-close.ts';
export { ServiceRequestAction } from './ops/payloads/service-request-transition.ts';
export { TicketAction } from './ops/payloads/ticket-transition.ts';
export { backoffDelay } from './retry/backoff.ts';
export { deviceWithCredential } from './state/devices.ts';
export {
  type EntitySet,
  EntitySetWriter,
  type EntityTable,
  emptyEntitySet,
  entityCount,
  filterEntities,
  getEntity,
  listEntities,
} from './state/entity-set.ts';
export { type Projectable, project, projectRecords } from './state/project.ts';
export type { VenueState } from './state/venue-state.ts';
export { PROTOCOL_VERSION } from './version.ts';
