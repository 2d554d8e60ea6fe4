import { DEVICE_COOKIE, DEVICE_HEADER, isDeviceSecret } from '#protocol';

/** A paired device keeps its credential for 400 days (browsers cap a cookie's life there). */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 34_560_000;

/**
 * `Set-Cookie` for a device credential: HttpOnly (no script reads it, so nothing in the page's
 * storage can leak it), SameSite=Strict, Secure over HTTPS, the whole origin (`Path=/`).
 */
export function deviceCookie(secret: string, secure: boolean): string {
  return `${DEVICE_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${DEVICE_COOKIE_MAX_AGE_SECONDS}${secure ? '; Secure' : ''}`;
}

/**
 * The device credential a request carries: the `hearth_device` cookie (a browser), else the
 * `X-Hearth-Device` header (a scripted client). Undefined when neither holds a plausible one.
 */
export function deviceSecretOf(request: Request): string | undefined {
  const header = request.headers.get(DEVICE_HEADER)?.trim();
  const cookie = cookieOf(request, DEVICE_COOKIE);
  const secret = cookie ?? header;
  return secret !== undefined && isDeviceSecret(secret) ? secret : undefined;
}

function cookieOf(request: Request, name: string): string | undefined {
  const cookies = request.headers.get('cookie');
  if (!cookies) return undefined;
  for (const part of cookies.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name && value.length > 0) return value.join('=');
  }
  return undefined;
}
