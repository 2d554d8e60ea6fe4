/** A structured log line's fields. Never tokens, PINs or card data. */
export type LogFields = Readonly<Record<string, unknown>>;

export type Logger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: LogFields,
) => void;

/** Where a JSON-lines logger writes, and how it defers a write to the end of the tick. */
export interface LogSinks {
  /** stdout: one or more lines, without the last newline (console.log adds it). */
  readonly out: (text: string) => void;
  /** stderr: one line. */
  readonly err: (text: string) => void;
  readonly schedule: (flush: () => void) => void;
}

/** A logger whose stdout lines wait in memory until `flush` (see {@link jsonLinesLogger}). */
export interface JsonLinesLogger {
  readonly log: Logger;
  /** Writes every waiting line now (the shell calls it on exit). */
  flush(): void;
}

const CONSOLE: LogSinks = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  schedule: (flush) => setImmediate(flush),
};

/** Waiting stdout lines are written at once past this size (a burst stays bounded). */
const MAX_WAITING_CHARS = 64 * 1024;

/**
 * JSON lines: info and debug on stdout, written once per event-loop turn; warnings and errors
 * on stderr at once, after whatever info waited. The relay logs a line per request: written
 * one by one into a pipe (systemd's journal, or the bench), they cost ~25 µs of relay CPU per
 * single-op request, a sixth of it; one write per turn carries all the lines of a group commit.
 * Lines are the same, in the same order; a crash can lose at most the current turn's info lines.
 *
 * @example
 * const logger = jsonLinesLogger();
 * logger.log('info', 'request', { method: 'POST', status: 202 });
 * process.on('exit', () => logger.flush());
 */
export function jsonLinesLogger(sinks: LogSinks = CONSOLE): JsonLinesLogger {
  let waiting: string[] = [];
  let chars = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (waiting.length === 0) return;
    const text = waiting.join('\n');
    waiting = [];
    chars = 0;
    sinks.out(text);
  };
  const log: Logger = (level, msg, fields = {}) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
    if (level === 'error' || level === 'warn') {
      flush();
      sinks.err(line);
      return;
    }
    waiting.push(line);
    chars += line.length;
    if (chars >= MAX_WAITING_CHARS) flush();
    else if (!scheduled) {
      scheduled = true;
      sinks.schedule(flush);
    }
  };
  return { log, flush };
}

export const silentLogger: Logger = () => {};
