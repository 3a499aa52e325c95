/**
 * Slugs name a post in URLs and on disk (`<slug>.md`), so they are built only from letters and
 * digits of the title, joined by hyphens: never a path, never raw input. Letters of any script
 * are kept (a Chinese title gets a readable slug); Latin accents are folded (é → e).
 */
const MAX_SLUG_CHARS = 80;
// File names are limited to 255 bytes; leave room for "-NNN.md" and the temp-file decoration.
const MAX_SLUG_BYTES = 180;
// A word starts with a letter or digit and may carry combining marks (Devanagari vowel signs).
const SLUG_SHAPE = /^[\p{Ll}\p{Lo}\p{Lm}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N}]*(?:-[\p{Ll}\p{Lo}\p{Lm}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N}]*)*$/u;
// Names Windows refuses as files; a slug is a file name, and posts folders get copied around.
const RESERVED_NAMES = new Set([
  'con', 'prn', 'aux', 'nul',
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
]);

export function slugify(title: string, now: Date = new Date()): string {
  const folded = title
    .normalize('NFKD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFKC')
    .toLowerCase();
  const words = folded.match(/[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu) ?? [];
  let slug = truncate(words.join('-'));
  // Letters with no lowercase form stay as they are; anything else unusual is dropped above.
  if (!SLUG_SHAPE.test(slug)) slug = slug.replace(/[^\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N}-]/gu, '').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (slug === '') return dateSlug(now);
  return RESERVED_NAMES.has(slug) ? `${slug}-post` : slug;
}

/** True for strings slugify could have produced (checked before any lookup by slug). */
export function isSlug(value: string): boolean {
  return value.length <= MAX_SLUG_CHARS + 8 && SLUG_SHAPE.test(value);
}

/** `base`, or `base-2`, `base-3`… — the first that `taken` does not claim. */
export function uniqueSlug(base: string, taken: (slug: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken(candidate)) return candidate;
  }
}

function dateSlug(now: Date): string {
  return `post-${now.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

function truncate(slug: string): string {
  let out = '';
  for (const char of slug) {
    if (out.length + char.length > MAX_SLUG_CHARS) break;
    if (Buffer.byteLength(out + char) > MAX_SLUG_BYTES) break;
    out += char;
  }
  return out.replace(/-+$/, '');
}
