import { createHash } from 'node:crypto';
import type { TestServer } from './server.js';

/** How the range file server misbehaves on one response (responses take these in order). */
export interface RangeReply {
  /** Send the body up to this absolute byte offset, then reset the connection. */
  cutAt?: number;
  /** Send the body up to this absolute byte offset, then go silent (a stall). */
  stallAt?: number;
  /** Answer this status with an empty body instead (e.g. 503). */
  status?: number;
  /** Answer a range request with 200 and the whole body. */
  ignoreRange?: boolean;
  /** The file changes: serve this ETag from this response on. */
  newEtag?: string;
  /** Send a 206 even when If-Range no longer matches (a server that ignores If-Range). */
  ignoreIfRange?: boolean;
  /** End cleanly at this absolute byte offset, sent chunked (no Content-Length): a body that lies short. */
  endEarlyAt?: number;
  /** Announce a Content-Range start this many bytes off the real one. */
  shiftContentRange?: number;
}

export interface RangeFileOptions {
  /** Body size in bytes. */
  size: number;
  /** Seed of the deterministic random body. */
  seed?: number;
  /** Per-response misbehaviour, in order; after the list, responses are well-behaved. */
  replies?: RangeReply[];
  /** Strong ETag, or `false` for none. */
  etag?: string | false;
  /** `Last-Modified`, or `false` for none. */
  lastModified?: string | false;
  /** Send `Accept-Ranges: bytes`. */
  acceptRanges?: boolean;
}

export interface RangeFile {
  body: Buffer;
  sha256: string;
  /** `[Range, If-Range]` of every request, in order. */
  seen: Array<[string | undefined, string | undefined]>;
}

/** Bytes from a seeded xorshift32 generator: the same seed gives the same body. */
export function randomBody(size: number, seed = 1): Buffer {
  const body = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    body[i] = x & 0xff;
  }
  return body;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Serves a deterministic random file at `path` of `server`: honours `Range: bytes=N-` and
 * `If-Range`, and misbehaves on successive responses as `replies` says.
 */
export function serveRangeFile(server: TestServer, path: string, options: RangeFileOptions): RangeFile {
  const body = randomBody(options.size, options.seed);
  const replies = [...(options.replies ?? [])];
  const lastModified = options.lastModified ?? 'Wed, 01 Jan 2020 00:00:00 GMT';
  let etag = options.etag ?? '"v1"';
  const file: RangeFile = { body, sha256: sha256(body), seen: [] };

  server.handle(path, (req, res) => {
    const reply = replies.shift() ?? {};
    const range = req.headers.range;
    const ifRange = req.headers['if-range'] as string | undefined;
    file.seen.push([range, ifRange]);
    if (reply.newEtag !== undefined) etag = reply.newEtag;
    if (reply.status !== undefined) {
      res.writeHead(reply.status, { 'content-length': 0 }).end();
      return;
    }
    const headers: Record<string, string | number> = {};
    if (options.acceptRanges !== false) headers['accept-ranges'] = 'bytes';
    if (etag !== false) headers.etag = etag;
    if (lastModified !== false) headers['last-modified'] = lastModified;
    const validatorMatches = ifRange === undefined || ifRange === etag || ifRange === lastModified;
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    const honoured =
      match !== null &&
      options.acceptRanges !== false &&
      !reply.ignoreRange &&
      (validatorMatches || reply.ignoreIfRange);
    const start = honoured ? Number(match[1]) : 0;
    if (honoured) {
      const announced = start + (reply.shiftContentRange ?? 0);
      headers['content-range'] = `bytes ${announced}-${body.length - 1}/${body.length}`;
    }
    if (reply.endEarlyAt === undefined) headers['content-length'] = body.length - start;
    res.writeHead(honoured ? 206 : 200, headers);
    if (reply.endEarlyAt !== undefined) {
      res.end(body.subarray(start, reply.endEarlyAt));
      return;
    }
    const stop = reply.cutAt ?? reply.stallAt;
    if (stop === undefined) {
      res.end(body.subarray(start));
      return;
    }
    res.write(body.subarray(start, Math.max(start, stop)), () => {
      if (reply.cutAt !== undefined) res.destroy();
    });
  });
  return file;
}
