import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Compares in constant time. Hashing both sides first gives equal lengths, so neither the
 * content nor the length of the password leaks through timing.
 */
export function passwordMatches(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A password for an author who did not set AUTHOR_PASSWORD: 24 characters, ~143 bits. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
