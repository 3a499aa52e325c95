import type { Page } from 'playwright-core';

/**
 * Traps for anything a page's script could do, installed with `page.addInitScript`, which runs
 * through the DevTools protocol before any script of the page (the page's CSP does not apply to
 * it). Quire's pages carry no script at all, so every trap that fires is an injection that ran.
 * Each hit is reported at once through a binding, with the document it happened in.
 */
export interface ScriptTraps {
  /** "alert(1) at http://…/posts/x": calls of trapped functions, injected elements seen in the DOM. */
  hits: string[];
}

export async function installScriptTraps(page: Page): Promise<ScriptTraps> {
  const traps: ScriptTraps = { hits: [] };
  await page.exposeFunction('__quireTrapHit', (line: string) => traps.hits.push(line));
  await page.addInitScript(trapEverything);
  return traps;
}

/** Runs in the page, before its own scripts. Must be self-contained (it is sent as source). */
function trapEverything(): void {
  type Fn = (...args: unknown[]) => unknown;
  const report = (kind: string, detail: unknown) => {
    try {
      const binding = (window as unknown as { __quireTrapHit?: (line: string) => Promise<void> }).__quireTrapHit;
      void binding?.(`${kind}(${String(detail).slice(0, 120)}) at ${location.href}`);
    } catch {
      // The page is unloading; the hit is lost with it, which the other traps make up for.
    }
  };
  const replace = (target: object, name: string, make: (original: Fn) => unknown) => {
    try {
      const original = (target as Record<string, Fn>)[name] as Fn;
      Object.defineProperty(target, name, { value: make(original), writable: true, configurable: true });
    } catch {
      report('trap not installed', name);
    }
  };

  // Dialogs and printing: the classic proofs of execution. Trapped, so that they never block.
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    replace(window, name, () => (...args: unknown[]) => {
      report(name, args[0]);
      return null;
    });
  }
  // Network from script.
  replace(window, 'fetch', (original) => (...args: unknown[]) => {
    report('fetch', args[0]);
    return original.apply(window, args);
  });
  replace(XMLHttpRequest.prototype, 'open', (original) =>
    function (this: XMLHttpRequest, ...args: unknown[]) {
      report('XMLHttpRequest.open', args[1]);
      return original.apply(this, args);
    },
  );
  // Code from strings.
  replace(window, 'eval', (original) =>
    new Proxy(original, {
      apply(target, self, args: unknown[]) {
        report('eval', args[0]);
        return Reflect.apply(target, self, args);
      },
    }),
  );
  const trappedFunction = new Proxy(Function, {
    apply(target, self, args: unknown[]) {
      report('Function', args.at(-1));
      return Reflect.apply(target, self, args);
    },
    construct(target, args: unknown[]) {
      report('Function', args.at(-1));
      return Reflect.construct(target, args);
    },
  });
  replace(window, 'Function', () => trappedFunction);
  replace(Function.prototype, 'constructor', () => trappedFunction);
  for (const name of ['setTimeout', 'setInterval']) {
    replace(window, name, (original) => (handler: unknown, ...rest: unknown[]) => {
      if (typeof handler === 'string') report(`${name} with a string`, handler);
      return original.call(window, handler, ...rest);
    });
  }
  for (const name of ['write', 'writeln']) {
    replace(Document.prototype, name, (original) =>
      function (this: Document, ...args: unknown[]) {
        report(`document.${name}`, args.join(''));
        return original.apply(this, args);
      },
    );
  }
  // Other ways out, and into workers.
  for (const name of ['WebSocket', 'EventSource', 'Worker', 'SharedWorker']) {
    replace(window, name, (original) =>
      new Proxy(original, {
        construct(target, args: unknown[]) {
          report(`new ${name}`, args[0]);
          return Reflect.construct(target, args) as object;
        },
      }),
    );
  }
  replace(Navigator.prototype, 'sendBeacon', (original) =>
    function (this: Navigator, ...args: unknown[]) {
      report('navigator.sendBeacon', args[0]);
      return original.apply(this, args);
    },
  );
  for (const name of ['pushState', 'replaceState']) {
    replace(History.prototype, name, (original) =>
      function (this: History, ...args: unknown[]) {
        report(`history.${name}`, args[2]);
        return original.apply(this, args);
      },
    );
  }
  // `location` cannot be redefined ([LegacyUnforgeable]): navigations are watched from outside.

  // What the browser's own parser built, which is what mutation XSS is about: any element that
  // can run or load script, any event-handler attribute, any script-bearing URL, as it appears.
  const SCRIPTABLE = new Set(['SCRIPT', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'APPLET', 'BASE', 'PORTAL']);
  const URL_ATTRIBUTES = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'srcdoc'];
  // eslint-disable-next-line no-control-regex
  const SCRIPT_URL = /^(?:javascript|vbscript|data):/i;
  // Raster images may be inlined (DESIGN.md): they cannot carry script.
  const RASTER_DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp)[;,]/i;
  const inspect = (element: Element) => {
    const name = element.tagName.toUpperCase();
    if (SCRIPTABLE.has(name)) report('element', `<${element.tagName.toLowerCase()}>`);
    if (name === 'META' && element.hasAttribute('http-equiv')) report('element', '<meta http-equiv>');
    for (const attribute of Array.from(element.attributes)) {
      if (attribute.name.toLowerCase().startsWith('on')) report('handler attribute', `<${element.tagName.toLowerCase()} ${attribute.name}>`);
      const bare = attribute.value.replace(/[\u0000-\u0020]/g, '');
      const rasterImage = name === 'IMG' && attribute.name === 'src' && RASTER_DATA_IMAGE.test(bare);
      if (URL_ATTRIBUTES.includes(attribute.name.toLowerCase()) && !rasterImage && (SCRIPT_URL.test(bare) || attribute.name === 'srcdoc')) {
        report('script URL', `<${element.tagName.toLowerCase()} ${attribute.name}="${attribute.value}">`);
      }
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of Array.from(record.addedNodes)) {
        if (!(node instanceof Element)) continue;
        inspect(node);
        node.querySelectorAll('*').forEach(inspect);
      }
      if (record.type === 'attributes' && record.target instanceof Element) inspect(record.target);
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
}
