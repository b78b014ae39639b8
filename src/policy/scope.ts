// The default scope of a request: the origin of its full URL (RFC 6454 §4), default port explicit.

/** What the default scope reads off a config. */
export interface ScopeInput {
  baseURL?: string | undefined;
  url?: string | undefined;
  allowAbsoluteUrls?: boolean | undefined;
}

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;
const ORIGIN = /^(?:([a-z][a-z\d+\-.]*):)?\/\/([^/?#]*)/i;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443' };

/**
 * `protocol//host:port` of the URL axios would request (baseURL + url, resolved as axios's
 * `buildFullPath` does), e.g. `https://api.example.com:443`. A relative URL with no baseURL takes
 * the page's origin in a browser, and `http://localhost:80` (axios's own base) elsewhere.
 */
export function originOf(config: ScopeInput): string {
  const match = ORIGIN.exec(fullURL(config));
  if (!match) return pageOrigin() ?? 'http://localhost:80';
  return originFrom(match[1] ?? pageScheme(), match[2] ?? '');
}

/** The URL axios would request: baseURL + url, resolved as axios's `buildFullPath` does. */
export function fullURL(config: ScopeInput): string {
  const url = config.url ?? '';
  const base = config.baseURL;
  return base && !(ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false) ? joinURL(base, url) : url;
}

function originFrom(rawScheme: string, rawAuthority: string): string {
  const scheme = rawScheme.toLowerCase();
  // RFC 3986 §3.2: userinfo is not part of the origin.
  const authority = rawAuthority.slice(rawAuthority.lastIndexOf('@') + 1).toLowerCase();
  const portAt = authority.lastIndexOf(':');
  const hasPort = portAt > authority.lastIndexOf(']') && portAt !== -1;
  const host = hasPort ? authority.slice(0, portAt) : authority;
  const port = hasPort && portAt < authority.length - 1 ? authority.slice(portAt + 1) : DEFAULT_PORTS[scheme];
  return port === undefined ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}

function joinURL(base: string, relative: string): string {
  if (!relative) return base;
  return `${base.replace(/\/?\/$/, '')}/${relative.replace(/^\/+/, '')}`;
}

type PageLocation = { protocol?: string; host?: string } | undefined;

function pageLocation(): PageLocation {
  return (globalThis as { location?: PageLocation }).location;
}

/** A protocol-relative URL (`//host/x`) takes the page's scheme; outside a page, http. */
function pageScheme(): string {
  const protocol = pageLocation()?.protocol;
  return protocol ? protocol.replace(/:$/, '') : 'http';
}

function pageOrigin(): string | undefined {
  const location = pageLocation();
  if (!location?.protocol || !location.host) return undefined;
  return originFrom(location.protocol.replace(/:$/, ''), location.host);
}
