/** A structured log line's fields. Never tokens, PINs or card data. */
export type LogFields = Readonly<Record<string, unknown>>;

export type Logger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: LogFields,
) => void;

/** JSON lines: info on stdout, warnings and errors on stderr. */
export const jsonLogger: Logger = (level, msg, fields = {}) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

export const silentLogger: Logger = () => {};
