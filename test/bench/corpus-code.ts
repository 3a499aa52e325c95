import type { Random } from './random.js';

/**
 * Code blocks for the corpus, in the languages a technical blog mixes. Highlighting cost and
 * HTML size depend on the language, so every post draws from several. `$NAME` and `$FIELD` are
 * replaced per block so that no two posts carry identical code.
 */
const SNIPPETS: Record<string, readonly string[]> = {
  ts: [
    `export async function load$NAME(id: string): Promise<$NAME | undefined> {
  const row = await db.get<Row>('SELECT * FROM $FIELD WHERE id = ?', [id]);
  if (!row) return undefined;
  return { id: row.id, $FIELD: JSON.parse(row.$FIELD) as string[], updatedAt: new Date(row.updated_at) };
}`,
    `interface $NAME<T> {
  readonly items: T[];
  cursor?: string;
}

const page = <T,>(items: T[], size = 20): $NAME<T>[] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => ({ items: items.slice(i * size, (i + 1) * size) }));`,
  ],
  python: [
    `def $FIELD_report(rows: list[dict]) -> dict[str, int]:
    """Counts rows per status, skipping the ones without one."""
    counts: dict[str, int] = {}
    for row in rows:
        status = row.get("status")
        if status is None:
            continue
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))`,
    `@dataclass(frozen=True)
class $NAME:
    $FIELD: str
    weight: float = 1.0

    def scaled(self, factor: float) -> "$NAME":
        return replace(self, weight=self.weight * factor)`,
  ],
  rust: [
    `pub fn parse_$FIELD(input: &[u8]) -> Result<$NAME<'_>, ParseError> {
    let end = memchr::memchr(b'\\n', input).ok_or(ParseError::Truncated)?;
    let (head, rest) = input.split_at(end);
    Ok($NAME { head: std::str::from_utf8(head)?, rest: &rest[1..] })
}`,
    `impl Iterator for $NAME {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        self.state = self.state.wrapping_mul(6364136223846793005).wrapping_add(1);
        Some(self.state >> 33)
    }
}`,
  ],
  go: [
    `func (s *$NAME) Handle(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	v, err := s.store.Get(ctx, r.PathValue("$FIELD"))
	if errors.Is(err, ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(v)
}`,
  ],
  sql: [
    `CREATE TABLE $FIELD (
  id         INTEGER PRIMARY KEY,
  slug       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX $FIELD_by_date ON $FIELD (created_at DESC, slug);

EXPLAIN QUERY PLAN
SELECT slug FROM $FIELD ORDER BY created_at DESC LIMIT 11 OFFSET 40;`,
  ],
  bash: [
    `set -euo pipefail
for f in posts/*.md; do
  name=$(basename "$f" .md)
  wc -c < "$f" | xargs printf '%8d  %s\\n' "$name"
done | sort -n | tail -5
curl -s -o /dev/null -w '%{http_code} %{time_total}\\n' http://127.0.0.1:3000/posts/$FIELD`,
  ],
  json: [
    `{
  "name": "$FIELD",
  "version": "2.4.1",
  "limits": { "maxBodyBytes": 1048576, "timeoutMs": 2000 },
  "routes": [
    { "method": "GET", "path": "/$FIELD/:id", "cache": "public, max-age=60" },
    { "method": "POST", "path": "/$FIELD", "auth": true }
  ]
}`,
  ],
  yaml: [
    `services:
  $FIELD:
    image: ghcr.io/example/$FIELD:1.8
    restart: unless-stopped
    environment:
      LOG_LEVEL: info
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:8080/healthz"]
      interval: 30s`,
  ],
  css: [
    `.$FIELD {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
  gap: clamp(0.5rem, 2vw, 1.5rem);
}
@media (prefers-color-scheme: dark) {
  .$FIELD { background: #111; color: #eee; }
}`,
  ],
  c: [
    `static size_t $FIELD_count(const char *buf, size_t len) {
    size_t n = 0;
    for (const char *p = buf; (p = memchr(p, '\\n', len - (size_t)(p - buf))) != NULL; p++)
        n++;
    return n;
}`,
  ],
};

export const LANGUAGES = Object.keys(SNIPPETS);

const NAMES = ['Cursor', 'Snapshot', 'Ledger', 'Batch', 'Frame', 'Token', 'Segment', 'Record', 'Lease', 'Shard'];
const FIELDS = ['entries', 'events', 'tags', 'sessions', 'metrics', 'invoices', 'uploads', 'jobs', 'peers', 'pages'];

/** One fenced code block, in the given language (or a random one). */
export function codeBlock(random: Random, language = random.pick(LANGUAGES)): string {
  const code = random
    .pick(SNIPPETS[language] ?? [])
    .replaceAll('$NAME', random.pick(NAMES))
    .replaceAll('$FIELD', random.pick(FIELDS));
  return `\`\`\`${language}\n${code}\n\`\`\``;
}
