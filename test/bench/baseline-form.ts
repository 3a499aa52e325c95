import http from 'node:http';
import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listenAndAnnounce } from './baseline-listen.js';

/**
 * Baseline for creates: what the ancestral Flask app did, in Node's bare `http` module. Parse the
 * urlencoded form (`title`, `content`, `tags`), write it to a temp file, fsync, rename into place,
 * answer 303. No sign-in, CSRF, sanitizing, rendering or index: the ceiling for a durable write.
 */
const formDir = process.env.FORM_DIR;
if (!formDir) throw new Error('FORM_DIR is not set');
const dir: string = formDir;
let written = 0;

function save(form: URLSearchParams): string {
  const name = `${++written}.md`;
  const text = `title: ${JSON.stringify(form.get('title') ?? '')}\ntags: ${JSON.stringify(form.get('tags') ?? '')}\n\n${form.get('content') ?? ''}`;
  const temp = path.join(dir, `.${name}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path.join(dir, name));
  return name;
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if ((form.get('title') ?? '').trim() === '') {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(303, { location: `/posts/${save(form)}` }).end();
  });
});
listenAndAnnounce(server);
