/** A structured log line's fields. Never put tokens, PINs or card data here. */
export type LogFields = Readonly<Record<string, unknown>>;

export type Logger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: LogFields,
) => void;

/** JSON lines on stdout (errors on stderr): what the process shell uses. */
export const jsonLogger: Logger = (level, msg, fields = {}) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

/** Discards everything: for tests that assert on other things. */
export const silentLogger: Logger = () => {};

/** Keeps lines in memory, for tests that assert on logging. */
export function memoryLogger(): {
  log: Logger;
  lines: { level: string; msg: string; fields: LogFields }[];
} {
  const lines: { level: string; msg: string; fields: LogFields }[] = [];
  return { log: (level, msg, fields = {}) => lines.push({ level, msg, fields }), lines };
}
