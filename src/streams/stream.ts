import {
  CanceledError,
  isCancel,
  type AxiosInstance,
  type AxiosProgressEvent,
  type AxiosRequestConfig,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { Readable } from 'node:stream';
import { computeBackoff } from '../policy/backoff.js';
import { monotonicNow } from '../guards/clock.js';
import { StreamResumeError } from '../errors.js';
import { headerValue } from '../policy/headers.js';
import { nodeBuiltin } from '../axios/node-builtin.js';
import { DEFAULT_OPTIONS } from '../options.js';
import type { ResilienceOptions } from '../types.js';
import { checkResumeReply, contentLength, decodedByAxios, planResume, type ResumePlan } from './range.js';
import { AttemptState, CAPTURE_KEY, ResponseCapture, STATE_KEY, stateOf } from '../axios/attempt-state.js';

type StreamModule = typeof import('node:stream');
export type Progress = { received: number; resumes: number };
/** `response` as it came, its body wrapped; `returned`: what the interceptors gave the caller. */
type Opened = { response: AxiosResponse<Readable>; progress: Progress; returned: unknown };

/**
 * Opens a streamed response; retryable failures before the body starts are retried. On Node the
 * body is handed over in a stream that errors (never ends) when the body is cut short, and that
 * is continued with range requests when `resume` is on.
 */
export async function openStream<T>(
  instance: AxiosInstance,
  method: string,
  url: string,
  config: AxiosRequestConfig | undefined,
  defaults: ResilienceOptions,
): Promise<AxiosResponse<T>> {
  return (await openResumable(instance, method, url, config ?? {}, defaults)).returned as AxiosResponse<T>;
}

/**
 * Opens the stream and wraps its body; `progress` counts what the caller's stream received.
 * Shared by `stream()` and `download()`.
 */
export async function openResumable(
  instance: AxiosInstance,
  method: string,
  url: string,
  config: AxiosRequestConfig,
  defaults: ResilienceOptions,
): Promise<Opened> {
  const { onDownloadProgress, signal, ...rest } = config;
  const streams = nodeBuiltin<StreamModule>('node:stream');
  const request: AxiosRequestConfig = { ...rest, method, url, responseType: 'stream' };
  const progress: Progress = { received: 0, resumes: 0 };
  if (!streams) {
    const response = await instance.request({ ...config, ...request });
    return { response, progress, returned: response };
  }
  const perRequest = config.resilience;
  const wantsResume = perRequest !== false && (perRequest?.resume ?? defaults.resume ?? false);
  if (wantsResume && headerValue(config.headers, 'accept-encoding') === undefined) {
    // RFC 9110 §14.1.2: ranges count bytes of the encoded body; identity keeps our count the server's.
    request.headers = { ...(config.headers as object), 'Accept-Encoding': 'identity' };
  }
  const capture = new ResponseCapture();
  const captured = { ...request, [CAPTURE_KEY]: capture } as AxiosRequestConfig;
  const returned: unknown = await instance.request<Readable>(signal ? { ...captured, signal } : captured);
  // The response as it came, even when a response interceptor unwrapped it (r => r.data).
  const response = (capture.response ?? returned) as AxiosResponse<Readable>;
  const rawBody = response.data as Partial<Readable> | undefined;
  if (typeof rawBody?.on !== 'function' || typeof rawBody.pipe !== 'function') {
    return { response, progress, returned };
  }
  const decoded = config.decompress !== false && decodedByAxios(response.request, response.headers);
  // RFC 9110 §8.6: HEAD, 204 and 304 carry a Content-Length but no body.
  const bodyless = method.toUpperCase() === 'HEAD' || response.status === 204 || response.status === 304;
  const state = stateOf(response.config);
  const plan = planResume({
    method,
    status: response.status,
    headers: response.headers,
    requestedRange: headerValue(config.headers, 'range') !== undefined,
    decoded,
  });
  response.data = resumableBody(streams, {
    instance,
    request,
    response,
    state,
    plan: state === undefined || !state.options.resume ? 'resuming is off (resilience.resume)' : plan,
    total: decoded || bodyless ? undefined : contentLength(response.headers),
    stallTimeoutMs:
      state?.options.stallTimeoutMs ?? defaults.stallTimeoutMs ?? DEFAULT_OPTIONS.stallTimeoutMs,
    signal,
    cancelToken: config.cancelToken,
    onDownloadProgress,
    progress,
  });
  // Whatever the interceptors made of the response, the caller reads the checked body.
  return { response, progress, returned: returned === rawBody ? response.data : returned };
}

interface BodyJob {
  instance: AxiosInstance;
  request: AxiosRequestConfig;
  response: AxiosResponse<Readable>;
  state: AttemptState | undefined;
  plan: ResumePlan | string;
  total: number | undefined;
  stallTimeoutMs: number;
  signal: AxiosRequestConfig['signal'];
  cancelToken: AxiosRequestConfig['cancelToken'];
  onDownloadProgress: AxiosRequestConfig['onDownloadProgress'];
  progress: Progress;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * The caller's stream: fed by the first body, then by each resumed one, with backpressure passed
 * upstream. It ends only when every byte arrived; any other outcome destroys it with an error.
 */
function resumableBody(streams: StreamModule, job: BodyJob): Readable {
  const { progress } = job;
  const internal = new AbortController();
  let upstream: Readable | undefined;
  let limit = job.total ?? Number.POSITIVE_INFINITY;
  let paused = false;
  let done = false;
  let stallTimer: Timer | undefined;
  let waitTimer: Timer | undefined;
  let previousDelayMs = 0;

  const output = new streams.Readable({
    // One socket read (up to 64 KiB) fits without pausing the upstream on every chunk.
    highWaterMark: 64 * 1024,
    read() {
      if (!paused || !upstream) return;
      paused = false;
      armStall();
      upstream.resume();
    },
    destroy(error, callback) {
      done = true;
      teardown();
      callback(error);
    },
  });

  const canceled = (): Error =>
    new CanceledError(undefined, job.response.config as InternalAxiosRequestConfig);
  const onAbort = (): void => fail(canceled());
  job.signal?.addEventListener?.('abort', onAbort);
  job.cancelToken?.subscribe(onAbort);

  // One timer per stream, pushed back on each chunk (`refresh()` costs far less than a new timer).
  function armStall(): void {
    if (stallTimer !== undefined) {
      stallTimer.refresh();
      return;
    }
    stallTimer = setTimeout(() => {
      stallTimer = undefined;
      onBreak(stallError(`no body bytes for ${job.stallTimeoutMs} ms`));
    }, job.stallTimeoutMs);
  }

  function disarmStall(): void {
    clearTimeout(stallTimer);
    stallTimer = undefined;
  }

  function attach(source: Readable, segmentEnd: number): void {
    upstream = source;
    limit = segmentEnd;
    paused = false;
    source.on('data', onData).once('end', onEnd).on('error', onBreak).once('close', onClose);
    armStall();
    // It may have broken while the response went through the interceptors: 'close' is past.
    if (source.destroyed) onBreak(source.errored ?? new Error('the body was destroyed before it was read'));
  }

  function detach(destroy: boolean): void {
    disarmStall();
    const source = upstream;
    upstream = undefined;
    if (!source) return;
    source.off('data', onData).off('end', onEnd).off('error', onBreak).off('close', onClose);
    source.on('error', () => undefined);
    if (destroy) source.destroy();
  }

  function onData(chunk: Uint8Array): void {
    if (done) return;
    if (progress.received + chunk.length > limit) {
      fail(
        new StreamResumeError(`the server sent more than the ${limit} bytes it announced`, progress.received),
      );
      return;
    }
    progress.received += chunk.length;
    if (!reportProgress(chunk.length)) return;
    armStall();
    if (!output.push(chunk)) {
      paused = true;
      disarmStall();
      upstream?.pause();
    }
  }

  function reportProgress(bytes: number): boolean {
    if (!job.onDownloadProgress) return true;
    const loaded = progress.received;
    const total = job.total;
    const event: AxiosProgressEvent = {
      loaded,
      bytes,
      download: true,
      lengthComputable: total !== undefined,
    };
    if (total !== undefined) Object.assign(event, { total, progress: total === 0 ? 1 : loaded / total });
    try {
      job.onDownloadProgress(event);
      return true;
    } catch (error) {
      fail(error as Error);
      return false;
    }
  }

  function onEnd(): void {
    detach(false);
    const expected = job.total ?? (Number.isFinite(limit) ? limit : progress.received);
    if (progress.received !== expected) {
      onBreak(new Error(`the body ended after ${progress.received} of ${expected} bytes`));
      return;
    }
    done = true;
    teardown();
    output.push(null);
  }

  function onClose(): void {
    onBreak(new Error('the connection closed before the body ended'));
  }

  function onBreak(cause: unknown): void {
    if (done) return;
    detach(true);
    const { received, resumes } = progress;
    if (isCancel(cause) || job.signal?.aborted) return fail(canceled());
    const of = job.total === undefined ? '' : ` of ${job.total}`;
    const refuse = (why: string): void =>
      fail(new StreamResumeError(`the body broke after ${received}${of} bytes and ${why}`, received, cause));
    if (typeof job.plan === 'string' || job.state === undefined) return refuse(`cannot resume: ${job.plan}`);
    const { options, deadlineAt } = job.state;
    if (resumes >= options.retries) return refuse(`${resumes} resume(s) were already made (retries)`);
    const delayMs = computeBackoff(resumes, options, previousDelayMs, Math.random);
    if (deadlineAt !== undefined && monotonicNow() + delayMs >= deadlineAt) {
      return refuse('the deadline leaves no time to resume');
    }
    const granted = options.retryBudget ? options.retryBudget.tryAcquireRetry() : true;
    if (granted === false) return refuse('the retry budget is spent');
    if (granted !== true) {
      // A fleet store asks before it grants (bounded by its own timeout).
      void granted.then((ok: boolean) =>
        ok ? scheduleResume(delayMs, cause) : refuse('the retry budget is spent'),
      );
      return;
    }
    scheduleResume(delayMs, cause);
  }

  function scheduleResume(delayMs: number, cause: unknown): void {
    if (done || typeof job.plan === 'string' || job.state === undefined) return;
    const received = progress.received;
    const of = job.total === undefined ? '' : ` of ${job.total}`;
    progress.resumes += 1;
    previousDelayMs = delayMs;
    job.state.options.logger?.info(`axios-resilience: resuming at byte ${received}${of} in ${delayMs} ms`);
    const plan = job.plan;
    const state = job.state;
    if (done) return; // the logger may have aborted the request
    const go = (): void => void resumeNow(plan, state, cause);
    if (delayMs === 0) go();
    else waitTimer = setTimeout(go, delayMs);
  }

  async function resumeNow(plan: ResumePlan, state: AttemptState, cause: unknown): Promise<void> {
    waitTimer = undefined;
    const received = progress.received;
    // The range request's wait for headers is bounded like a body's silence (stallTimeoutMs).
    const attempt = new AbortController();
    const abortAttempt = (): void => attempt.abort();
    internal.signal.addEventListener('abort', abortAttempt);
    let stalled: Error | undefined;
    const headerTimer = setTimeout(() => {
      stalled = stallError(`no response headers for ${job.stallTimeoutMs} ms`);
      attempt.abort();
    }, job.stallTimeoutMs);
    let reply: AxiosResponse<Readable>;
    try {
      reply = await job.instance.request<Readable>({
        ...job.request,
        headers: {
          ...(job.request.headers as object),
          Range: `bytes=${received}-`,
          'If-Range': plan.ifRange,
        },
        signal: attempt.signal,
        // A new attempt of the same logical request: same options, budget and deadline.
        [STATE_KEY]: new AttemptState(state.owner, state.options, state.startedAt, true, state.deadlineAt),
      } as AxiosRequestConfig);
    } catch (error) {
      if (stalled !== undefined && !job.signal?.aborted) return onBreak(stalled);
      if (isCancel(error) || job.signal?.aborted) return fail(canceled());
      return fail(new StreamResumeError(`the range request at byte ${received} failed`, received, error));
    } finally {
      clearTimeout(headerTimer);
      internal.signal.removeEventListener('abort', abortAttempt);
    }
    const checked = checkResumeReply(reply.status, reply.headers, plan, received, job.total);
    if (done || typeof checked === 'string') {
      (reply.data as Partial<Readable> | undefined)?.destroy?.();
      if (typeof checked === 'string') {
        fail(new StreamResumeError(`cannot resume at byte ${received}: ${checked}`, received, cause));
      }
      return;
    }
    job.total ??= checked.total;
    attach(reply.data, checked.end + 1);
  }

  function fail(error: Error): void {
    if (done) return;
    done = true;
    teardown();
    output.destroy(error);
  }

  function teardown(): void {
    detach(true);
    clearTimeout(waitTimer);
    job.signal?.removeEventListener?.('abort', onAbort);
    job.cancelToken?.unsubscribe(onAbort);
    internal.abort();
  }

  attach(job.response.data, limit);
  return output;
}

function stallError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ESTALLED' });
}
