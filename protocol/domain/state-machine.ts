/**
 * A state machine as data: for each state, the events it accepts and where each leads.
 * An event missing from a state's row is refused. An event that leads back to the same
 * state is accepted and changes nothing (an idempotent repeat, such as a second "ready").
 */
export type TransitionTable<S extends string, E extends string> = {
  readonly [state in S]: { readonly [event in E]?: S };
};

export type Step<S extends string> =
  | { readonly kind: 'moved'; readonly from: S; readonly to: S }
  | { readonly kind: 'unchanged'; readonly from: S; readonly to: S }
  | { readonly kind: 'refused'; readonly from: S };

/** One step of a machine: pure, total, and never throws. */
export function step<S extends string, E extends string>(
  table: TransitionTable<S, E>,
  from: S,
  event: E,
): Step<S> {
  const to = table[from][event];
  if (to === undefined) return { kind: 'refused', from };
  return to === from ? { kind: 'unchanged', from, to } : { kind: 'moved', from, to };
}
