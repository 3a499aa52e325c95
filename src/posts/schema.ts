import { z } from 'zod';
import { MAX_CONTENT_BYTES, MAX_TAG_CHARS, MAX_TAGS, MAX_TITLE_CHARS } from './limits.js';
import { normalizeText } from '../markdown/normalize.js';

/** What the author typed, as typed: put back into the form when something is wrong. */
export interface FormValues {
  title: string;
  content: string;
  tags: string;
}

export type FieldErrors = Partial<Record<keyof FormValues | 'file' | 'form', string>>;

const text = (label: string) =>
  z.string({ error: `${label} must be a single text field.` }).default('').transform(normalizeText);

const sizeInWords = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export const draftSchema = z.object({
  title: text('The title')
    .transform((value) => value.trim())
    .pipe(
      z
        .string()
        .min(1, 'Give the post a title.')
        .max(MAX_TITLE_CHARS, `Keep the title to ${MAX_TITLE_CHARS} characters or fewer.`),
    ),
  content: text('The content').superRefine((value, ctx) => {
    const bytes = Buffer.byteLength(value);
    if (value.trim() === '') ctx.addIssue({ code: 'custom', message: 'Write something, or upload a .md file.' });
    else if (bytes > MAX_CONTENT_BYTES) {
      ctx.addIssue({ code: 'custom', message: `The content is ${sizeInWords(bytes)}; a post can be at most 1 MB.` });
    }
  }),
  tags: text('Tags')
    .transform((value) => parseTags(value))
    .superRefine((tags, ctx) => {
      if (tags.length > MAX_TAGS) ctx.addIssue({ code: 'custom', message: `Use at most ${MAX_TAGS} tags.` });
      const long = tags.find((tag) => [...tag].length > MAX_TAG_CHARS);
      if (long) ctx.addIssue({ code: 'custom', message: `Keep each tag to ${MAX_TAG_CHARS} characters (“${long.slice(0, 20)}…” is longer).` });
    }),
});

export type ParsedDraft = z.infer<typeof draftSchema>;

/** "Rust, performance, rust" → ["Rust", "performance"]: trimmed, blanks dropped, duplicates (any case) once. */
export function parseTags(value: string): string[] {
  const seen = new Set<string>();
  return value
    .split(',')
    .map((tag) => tag.trim().replace(/\s+/g, ' '))
    .filter((tag) => {
      const key = tag.toLowerCase();
      if (tag === '' || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** The first message for each field, in the shape the form shows. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = (issue.path[0] ?? 'form') as keyof FieldErrors;
    errors[field] ??= issue.message;
  }
  return errors;
}

/** The raw values to put back into the form: strings only, whatever was sent. */
export function formValues(body: unknown): FormValues {
  const fields = (body ?? {}) as Record<string, unknown>;
  const asText = (value: unknown) => (typeof value === 'string' ? value : '');
  return { title: asText(fields.title), content: asText(fields.content), tags: asText(fields.tags) };
}
