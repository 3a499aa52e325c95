/** What a post may be. Each limit is answered with a clear message next to its field. */
export const MAX_TITLE_CHARS = 200;
export const MAX_CONTENT_BYTES = 1024 * 1024;
export const MAX_TAGS = 10;
export const MAX_TAG_CHARS = 40;
export const MAX_UPLOAD_BYTES = 1024 * 1024;

/**
 * What a request may carry. Larger than the post limits on purpose: a post that is too long
 * still arrives whole, so the form can come back with every character the author typed.
 * Beyond these, the request is refused with 413 before it is read.
 */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
export const MAX_FORM_FIELDS = 10;
