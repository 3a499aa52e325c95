import type { CookieOptions, Request } from 'express';

/** Reads one cookie from the Cookie header (we need two cookies, not a parser middleware). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieNames {
  session: string;
  visitor: string;
}

/** With https, the __Host- prefix makes the browser refuse the cookie from any other origin or path. */
export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}quire_session`, visitor: `${prefix}quire_csrf` };
}

export function cookieOptions(secure: boolean, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}
