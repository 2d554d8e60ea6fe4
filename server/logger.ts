import { type DestinationStream, type LoggerOptions, pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A structured log line's fields. Never put tokens, PINs or card data here. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * How both servers log: `log('info', 'relay listening', { port })`. A function over pino, so
 * call sites and tests stay plain; every logger made here writes through pino.
 */
export type Logger = (level: LogLevel, msg: string, fields?: LogFields) => void;

/**
 * Fields replaced by `[redacted]`: secrets at the top level, and the two a request's headers
 * carry. Named paths only: a wildcard (`*.pin`) makes pino walk every line's fields, on the
 * relay's request path (decision 022).
 */
const SECRET_PATHS = [
  'authorization',
  'cookie',
  'pin',
  'token',
  'password',
  'card',
  'headers.authorization',
  'headers.cookie',
];

/**
 * One line shape for both servers: `{"level":"info","time":"<ISO>","msg":…,…fields}` — no pid
 * or hostname (the service manager adds those). Secrets are redacted in case a field slips in.
 */
const OPTIONS: LoggerOptions = {
  level: 'debug',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  redact: { paths: SECRET_PATHS, censor: '[redacted]' },
};

/** A logger writing JSON lines to `stream` (anything with `write(line)`). */
export function streamLogger(stream: DestinationStream): Logger {
  const logger = pino(OPTIONS, stream);
  return (level, msg, fields) => {
    if (fields === undefined) logger[level](msg);
    else logger[level](fields, msg);
  };
}

/**
 * The process's logger: JSON lines on stdout through pino's asynchronous destination (a write
 * per request would otherwise block the event loop on the pipe). Whatever is still buffered
 * is written on every way out, `process.exit` included; `drain()` before a planned exit waits
 * for a write still in flight too.
 *
 * @example
 * const { log } = processLogger();
 * log('info', 'relay listening', { port: 8080 });
 */
export function processLogger(): { log: Logger; flush(): void; drain(): Promise<void> } {
  const destination = pino.destination({ dest: 1, sync: false });
  // Before a planned exit: a write still in flight is not one flushSync can finish, so the
  // last lines (`… stopping`) could be lost. Bounded: a stdout nobody reads never holds it up.
  const drain = () =>
    new Promise<void>((resolve) => {
      // SonicBoom's flush(cb) answers at once when it keeps no minimum length: the write in
      // flight is only seen by its `_writing` flag, and ends with a 'drain'.
      if (!(destination as unknown as { _writing?: boolean })._writing) return resolve();
      const timer = setTimeout(resolve, 1_000);
      destination.once('drain', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      // Nothing to flush yet, or stdout is gone: nothing left to write to.
    }
  };
  process.on('exit', flush);
  return { log: streamLogger(destination), flush, drain };
}

/** Discards everything: for tests that assert on other things. */
export const silentLogger: Logger = () => {};

/** One line as a memory logger keeps it: the pino line split back into its parts. */
export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly fields: LogFields;
}

/** Keeps lines in memory, through pino (redaction included), for tests that assert on logging. */
export function memoryLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = streamLogger({
    write(text) {
      const { level, msg, time: _time, ...fields } = JSON.parse(text) as Record<string, unknown>;
      lines.push({ level: String(level), msg: String(msg), fields });
    },
  });
  return { log, lines };
}
