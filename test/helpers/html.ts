import { Parser } from 'htmlparser2';

const SCRIPTABLE_ELEMENTS = new Set(['script', 'iframe', 'object', 'embed', 'frame', 'applet', 'svg', 'math', 'base', 'style', 'form', 'link']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background']);
const SCRIPT_URL = /^\s*(?:javascript|vbscript|data):/i;

/**
 * Everything in a page that could run script, read the way a browser's parser reads it (not by
 * regex, which would flag escaped text). `allow` lists elements the page shell uses on purpose.
 */
export function scriptableParts(html: string, allow: string[] = ['form', 'link']): string[] {
  const found: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (SCRIPTABLE_ELEMENTS.has(name) && !allow.includes(name)) found.push(`<${name}>`);
        if (name === 'meta' && 'http-equiv' in attributes) found.push('<meta http-equiv>');
        for (const [attribute, value] of Object.entries(attributes)) {
          if (attribute.startsWith('on')) found.push(`<${name} ${attribute}>`);
          if (URL_ATTRIBUTES.has(attribute) && SCRIPT_URL.test(value.replace(/[\u0000-\u0020]/g, ''))) {
            found.push(`<${name} ${attribute}="${value}">`);
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return found;
}
