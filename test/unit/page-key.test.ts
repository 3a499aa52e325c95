import { describe, expect, it } from 'vitest';
import { pageKey } from '../../src/http/page-key.js';

describe('the URL a reader’s page is kept under', () => {
  it.each([
    ['/posts/a-post', '/posts/a-post'],
    ['/posts/a-post?fbclid=IwAR0x&utm_source=social', '/posts/a-post'],
    ['/posts/a-post?', '/posts/a-post'],
    ['/posts/a-post/', '/posts/a-post'],
    ['/posts/a-post/?utm_medium=email', '/posts/a-post'],
    ['/', '/'],
    ['/?utm_campaign=launch', '/'],
    ['/?page=2', '/?page=2'],
    ['/?gclid=1&page=2&ref=news', '/?page=2'],
    ['/?page=2&page=3', '/?page=2&page=3'],
  ])('%s is kept as %s', (url, key) => {
    expect(pageKey(url)).toBe(key);
  });
});
