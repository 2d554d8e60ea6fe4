import type { Violation } from './history.ts';

/**
 * Names the known defect a violation shows, when it is one (for the summary and the README):
 * read from the invariant and the detail the simulation wrote.
 */
export function diagnose(v: Violation): string | undefined {
  const { invariant, detail } = v;
  if (/ALREADY_EXISTS/.test(detail) && /cloud (applied it|recorded applied)/.test(detail))
    return 'defect 1: a resend of an op the cloud applied is rejected ALREADY_EXISTS';
  if (invariant.startsWith('the relay never rejects') && /rejected NOT_FOUND/.test(detail))
    return /deps none/.test(detail)
      ? 'defect 2b: an op on an order made at the cloud (mobile) is rejected NOT_FOUND by the relay'
      : 'defect 2a: an op whose dependency the relay has not seen yet is rejected NOT_FOUND';
  if (invariant.startsWith('liveness') && /honest ops among them/.test(detail)) {
    if (/made by (tablet-w|kds|phone)/.test(detail))
      return 'stall: honest ops wait behind a hostile op that depends on another device’s op';
    if (/never sent/.test(detail))
      return 'defect 3: one op with a dependency nobody sent stops the journal';
  }
  if (/ticket\.transition .* cloud recorded rejected NOT_FOUND/.test(detail))
    return 'ghost ticket: a ticket op the relay accepted on a ticket the cloud does not have (yet)';
  return undefined;
}
