/**
 * pg probes for a Cloudflare Worker when it loads (pg/lib/stream.js): without a global
 * `navigator` (Node 20; Node 21+ has one) it builds a fetch Response, which loads all of
 * undici, about 60 ms of every command's startup. A stand-in with Node's own user agent
 * answers the probe; pg-driver.ts removes it as soon as pg is loaded, so nothing else
 * ever sees it. Imported only by pg-driver.ts, before pg.
 */
const g = globalThis as { navigator?: unknown };
const added = g.navigator === undefined;
if (added) Object.defineProperty(g, 'navigator', { value: { userAgent: `Node.js/${process.versions.node}` }, configurable: true, writable: true });

export function removeNavigatorStandIn(): void {
  if (added) delete g.navigator;
}
