import { FrontMatterError, parsePostFile } from './front-matter.js';
import { MAX_UPLOAD_BYTES } from './limits.js';
import { draftSchema, fieldErrors, type FieldErrors } from './schema.js';
import type { NewPost } from './prepare.js';

export interface UploadedFile {
  originalname: string;
  size: number;
  buffer: Buffer;
}

export type Submission = { draft: NewPost } | { errors: FieldErrors };

const MARKDOWN_FILE_NAME = /\.(md|markdown)$/i;
const FRONT_MATTER_KEYS_QUIRE_SETS = new Set(['title', 'date', 'updated', 'tags', 'draft']);

/**
 * Turns the form (and the optional .md file) into a draft, or says what is wrong with each field.
 * A file's own front matter fills the title and tags the author left empty; its other keys are kept.
 */
export function readSubmission(body: unknown, file: UploadedFile | undefined): Submission {
  const fields = { ...((body ?? {}) as Record<string, unknown>) };
  let extraFrontMatter: Record<string, unknown> = {};
  if (file) {
    const upload = readMarkdownFile(file);
    if ('error' in upload) return { errors: { file: upload.error } };
    if (typeof fields.content === 'string' && fields.content.trim() !== '') {
      return { errors: { file: 'Upload a file or type the content, not both: clear one of them.' } };
    }
    const { data, body: markdown } = upload;
    fields.content = markdown;
    if (isBlank(fields.title) && typeof data.title === 'string') fields.title = data.title;
    if (isBlank(fields.tags) && Array.isArray(data.tags)) fields.tags = data.tags.map(String).join(', ');
    else if (isBlank(fields.tags) && typeof data.tags === 'string') fields.tags = data.tags;
    extraFrontMatter = Object.fromEntries(Object.entries(data).filter(([key]) => !FRONT_MATTER_KEYS_QUIRE_SETS.has(key)));
  }
  const parsed = draftSchema.safeParse(fields);
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  return { draft: { ...parsed.data, extraFrontMatter } };
}

function readMarkdownFile(file: UploadedFile): { data: Record<string, unknown>; body: string } | { error: string } {
  if (!MARKDOWN_FILE_NAME.test(file.originalname)) return { error: 'The file must be a Markdown file ending in .md.' };
  if (file.size > MAX_UPLOAD_BYTES) return { error: 'The file is larger than 1 MB.' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.buffer);
  } catch {
    return { error: 'The file is not UTF-8 text. Is it really a Markdown file?' };
  }
  if (text.includes('\u0000')) return { error: 'The file contains binary data. Is it really a Markdown file?' };
  try {
    return parsePostFile(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  } catch (error) {
    if (error instanceof FrontMatterError) return { error: `The file’s ${error.message}.` };
    throw error;
  }
}

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}
