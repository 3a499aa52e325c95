/**
 * Where, in the Markdown source, is character `p` of an inline token's content?
 *
 * markdown-it parses inline content from a copy of the source with indentation, container
 * markers (`> `, list indents), heading marks and table pipes taken away, and keeps no
 * offsets. To neutralise one `<` in place (and never touch a code span holding the same
 * text) the auditor maps content positions back, mirroring what each block rule removes.
 * Every answer is checked: if the source character differs from the content character the
 * position is unknown, and the caller refuses the text rather than edit the wrong place.
 */

/** Maps a content position to a source offset, or undefined when it cannot tell. */
export type Locate = (p: number) => number | undefined;

export interface TableRow {
  /** Offset of the row's first non-blank character, and of its line end (markdown-it's bMarks+tShift, eMarks). */
  start: number;
  end: number;
}

export interface SourceLines {
  readonly text: string;
  /** Offset of the line's first character. */
  start(line: number): number;
  /** Offset of the line's `\n`, or the end of the text. */
  end(line: number): number;
}

export function sourceLines(text: string): SourceLines {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return {
    text,
    start: (line) => starts[line] ?? text.length,
    end: (line) => {
      const next = starts[line + 1];
      return next === undefined ? text.length : next - 1;
    },
  };
}

/** Only answers when the source really holds the same character there. */
function checked(lines: SourceLines, content: string, map: (p: number) => number | undefined): Locate {
  return (p) => {
    const at = map(p);
    return at !== undefined && lines.text[at] === content[p] ? at : undefined;
  };
}

/**
 * Paragraphs and setext headings: content line k is the end of source line `first + k`
 * (what precedes it was indentation or container markers), and the last line lost its
 * trailing blanks to markdown-it's trim. So each position is counted back from a line end.
 */
export function locateInLines(lines: SourceLines, first: number, content: string): Locate {
  const starts = [0]; // where each content line starts, in content coordinates
  for (let i = content.indexOf('\n'); i !== -1; i = content.indexOf('\n', i + 1)) starts.push(i + 1);
  const last = starts.length - 1;
  return checked(lines, content, (p) => {
    let k = 0; // the content line holding p: binary search, as a paragraph can be long
    for (let lo = 0, hi = last; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] ?? 0) <= p) [k, lo] = [mid, mid + 1];
      else hi = mid - 1;
    }
    const lineEndInContent = k === last ? content.length : (starts[k + 1] ?? 0) - 1;
    let end = lines.end(first + k);
    if (k === last) {
      while (end > lines.start(first + k) && (lines.text[end - 1] === ' ' || lines.text[end - 1] === '\t')) end--;
    }
    return end - (lineEndInContent - p);
  });
}

/** ATX headings: the content starts after the first run of `#` on the line and its blanks. */
export function locateInAtxHeading(lines: SourceLines, line: number, content: string): Locate {
  const start = lines.start(line);
  const text = lines.text.slice(start, lines.end(line));
  const hash = text.indexOf('#'); // container markers (`>`, `-`, `1.`) never contain one
  const marks = /^#+[ \t]*/.exec(text.slice(hash))?.[0].length ?? 0;
  return checked(lines, content, (p) => (hash === -1 ? undefined : start + hash + marks + p));
}

/**
 * Table cells, as markdown-it cuts them: the row is trimmed, split at pipes not preceded by
 * a backslash (which is dropped), an empty first and last piece are discarded, and each
 * cell is trimmed.
 */
export function locateInTableCell(lines: SourceLines, row: TableRow, index: number, content: string): Locate {
  const text = lines.text;
  let from = row.start;
  let to = row.end;
  while (from < to && /\s/.test(text[from] ?? '')) from++;
  while (to > from && /\s/.test(text[to - 1] ?? '')) to--;
  const pieces: Array<[number, number]> = [];
  let pieceStart = from;
  for (let i = from; i < to; i++) {
    if (text[i] === '|' && !(i > from && text[i - 1] === '\\')) {
      pieces.push([pieceStart, i]);
      pieceStart = i + 1;
    }
  }
  pieces.push([pieceStart, to]);
  if (pieces[0] && pieces[0][0] === pieces[0][1]) pieces.shift();
  const last = pieces[pieces.length - 1];
  if (last && last[0] === last[1]) pieces.pop();
  const piece = pieces[index];
  const offsets: number[] = [];
  for (let i = piece?.[0] ?? 0; piece && i < piece[1]; i++) {
    if (!(text[i] === '\\' && text[i + 1] === '|')) offsets.push(i);
  }
  let lead = 0;
  while (lead < offsets.length && /\s/.test(text[offsets[lead] ?? 0] ?? '')) lead++;
  return checked(lines, content, (p) => offsets[lead + p]);
}
