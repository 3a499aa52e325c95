import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { settledRequest, type RawResponse } from './http-raw.js';

/**
 * What a reader's browser downloads for a post page: the HTML and the stylesheets it links,
 * each as transferred with `Accept-Encoding: br` (compressed if Quire compresses). Body bytes
 * only: headers are not page weight.
 */
export interface Transfer {
  path: string;
  bytes: number;
  encoding: string;
}

export interface PageWeight {
  transfers: Transfer[];
  totalBytes: number;
}

const BROTLI_ONLY = { 'accept-encoding': 'br' };
const STYLESHEET_LINK = /<link\b[^>]*\brel="stylesheet"[^>]*>/g;
const HREF = /\bhref="([^"]+)"/;

function decoded(response: RawResponse): string {
  const encoding = response.header('content-encoding');
  if (encoding === 'br') return brotliDecompressSync(response.body).toString();
  if (encoding === 'gzip') return gunzipSync(response.body).toString();
  return response.body.toString();
}

function transferOf(path: string, response: RawResponse): Transfer {
  if (response.status !== 200) throw new Error(`page weight: ${path} answered ${response.status}`);
  return { path, bytes: response.body.length, encoding: response.header('content-encoding') ?? 'identity' };
}

export async function measurePageWeight(baseUrl: string, pagePath: string): Promise<PageWeight> {
  const page = await settledRequest(`${baseUrl}${pagePath}`, BROTLI_ONLY);
  const transfers = [transferOf(pagePath, page)];
  for (const [link] of decoded(page).matchAll(STYLESHEET_LINK)) {
    const href = HREF.exec(link)?.[1];
    if (!href) continue;
    // Keep the query: a fingerprinted asset may be named by it.
    const { pathname, search } = new URL(href, `${baseUrl}${pagePath}`);
    const cssPath = `${pathname}${search}`;
    transfers.push(transferOf(cssPath, await settledRequest(`${baseUrl}${cssPath}`, BROTLI_ONLY)));
  }
  return { transfers, totalBytes: transfers.reduce((sum, { bytes }) => sum + bytes, 0) };
}
