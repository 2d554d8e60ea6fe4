/** A failure a screen shows: `code` says what the user can do about it. */
export class AppError extends Error {
  readonly code: 'NETWORK' | 'REJECTED' | 'BAD_RESPONSE' | 'NOT_SIGNED_IN';

  constructor(code: AppError['code'], message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}

/** The message a screen shows for a caught error. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
