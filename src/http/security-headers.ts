import helmet from 'helmet';

/**
 * The pages need no script at all, and all styles come from our own stylesheet, so the policy
 * allows nothing inline. Post images may come from other https hosts (authors hotlink diagrams).
 * HSTS and upgrade-insecure-requests only make sense when the site is served over https.
 */
export function securityHeaders({ https }: { https: boolean }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // The allowlist lets posts show http: images; a site served over http may load them,
        // one served over https upgrades them instead (upgrade-insecure-requests, below).
        imgSrc: ["'self'", 'https:', 'data:', ...(https ? [] : ['http:'])],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 15_552_000 } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
}
