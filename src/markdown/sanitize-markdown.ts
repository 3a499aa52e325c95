import { type Edit, auditMarkdown } from './markdown-audit.js';
import { normalizeText } from './normalize.js';

/**
 * Makes Markdown source safe to store: the file on disk must be safe to render with any
 * common Markdown engine, not only ours (DESIGN.md, "Sanitized Markdown").
 *
 * Normalise the text, then audit it and apply the audit's edits (`<` → `&lt;` for refused
 * HTML, `#` before refused link destinations), then audit the result again: an edit can
 * uncover markup that was hidden inside what it neutralised (`<a title="<img …>">`), so the
 * loop runs until an audit comes back clean. Allowed HTML, code spans and code blocks stay
 * byte for byte. A clean text audits clean, so the function is idempotent.
 */

/** Enough for markup nested a few levels deep; more than that is refused, not guessed at. */
const MAX_PASSES = 8;

/** The text cannot be made safe automatically; the message is meant for the author. */
export class UnsafeMarkdownError extends Error {
  constructor(readonly problem: string) {
    super(
      `The Markdown contains something that cannot be stored safely (${problem.slice(0, 80)}). ` +
        'Remove it, or put it in a code span or code block, and try again.',
    );
    this.name = 'UnsafeMarkdownError';
  }
}

export function sanitizeMarkdown(markdown: string): string {
  let text = normalizeText(markdown);
  const original = auditMarkdown(text);
  let audit = original;
  for (let pass = 0; audit.findings.length > 0; pass++) {
    const edits = audit.findings.flatMap((f) => f.edits);
    const first = audit.findings[0]?.problem ?? '';
    if (edits.length === 0 || pass === MAX_PASSES) throw new UnsafeMarkdownError(first);
    text = applyEdits(text, edits);
    audit = auditMarkdown(text);
  }
  // Neutralising can, rarely, change code: an escaped tag frees a backtick that starts a new
  // code span, or an escaped HTML block becomes a paragraph that absorbs the indented code
  // after it. Refuse rather than store code that differs from what the author wrote.
  if (!isSubsequence(original.code, audit.code)) throw new UnsafeMarkdownError('HTML right next to code, which neutralising it would change');
  return text;
}

/** Applies edits at distinct offsets, front to back, in one pass over the text. */
function applyEdits(text: string, edits: Edit[]): string {
  const byOffset = new Map(edits.map((edit) => [edit.at, edit]));
  const ordered = [...byOffset.values()].sort((a, b) => a.at - b.at);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of ordered) {
    if (edit.at < cursor) continue;
    parts.push(text.slice(cursor, edit.at), edit.insert);
    cursor = edit.at + edit.remove;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

/** Every code text of `before` is in `after`, in order. (Escaped HTML blocks may add code.) */
function isSubsequence(before: string[], after: string[]): boolean {
  let i = 0;
  for (const code of after) if (code === before[i]) i++;
  return i === before.length;
}
