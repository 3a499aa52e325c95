import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens are an HMAC of what identifies the browser: the session for the author, a random
 * cookie for a visitor at the sign-in form. A token from another session or another browser
 * does not verify, and nothing needs storing per form.
 */
export interface Csrf {
  tokenFor(binding: string): string;
  verify(binding: string, token: unknown): boolean;
}

export function createCsrf(key: Buffer): Csrf {
  const tokenFor = (binding: string) => createHmac('sha256', key).update(`csrf:${binding}`).digest('base64url');
  return {
    tokenFor,
    verify(binding, token) {
      if (typeof token !== 'string' || binding === '') return false;
      const expected = Buffer.from(tokenFor(binding));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
