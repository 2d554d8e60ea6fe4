/** Async work as a screen renders it (the shape of @lit/task's status, without the package). */
export type AsyncStatus<T> =
  | { readonly status: 'initial' }
  | { readonly status: 'pending' }
  | { readonly status: 'complete'; readonly value: T }
  | { readonly status: 'error'; readonly message: string };

export const INITIAL: AsyncStatus<never> = { status: 'initial' };
export const PENDING: AsyncStatus<never> = { status: 'pending' };
