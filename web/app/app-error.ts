/** A failure a screen shows: `code` says what the user can do about it. */
export class AppError extends Error {
  readonly code: 'NETWORK' | 'REJECTED' | 'BAD_RESPONSE' | 'NOT_SIGNED_IN';
  /** The HTTP status of a refusal (a guest's unknown table is 404), when there was one. */
  readonly status: number | undefined;
  /** The refusal's problem+json `code` (`DEVICE_NOT_PAIRED`), when the server gave one. */
  readonly problem: string | undefined;

  constructor(code: AppError['code'], message: string, status?: number, problem?: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.problem = problem;
  }
}

/** The message a screen shows for a caught error. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
