// The browser example's page script: bundled by serve.ts (esbuild) into dist/main.js.
// In your own app, import from 'axios-resilience' instead of the package's src.
import axios, { type AxiosError } from 'axios';
import { createResilientAxios, getRetryState } from '../../src/browser.js';

/** The flaky API runs on another port, so the page talks to it cross-origin (CORS). */
const apiOrigin = document.querySelector<HTMLMetaElement>('meta[name="api-origin"]')?.content ?? '';
const log = document.querySelector<HTMLUListElement>('#log')!;
const adapterSelect = document.querySelector<HTMLSelectElement>('#adapter')!;
const abortButton = document.querySelector<HTMLButtonElement>('#abort')!;

let run = 0;
let controller: AbortController | undefined;
let startedAt = 0;

function line(text: string, kind = ''): void {
  const item = document.createElement('li');
  const at = Math.round(performance.now() - startedAt);
  item.textContent = `+${String(at).padStart(5)} ms  ${text}`;
  if (kind) item.className = kind;
  log.append(item);
  item.scrollIntoView({ block: 'nearest' });
}

/** Where a wait came from: a Retry-After the page can read, or the computed backoff. */
function waitSource(error: AxiosError): string {
  const visible = error.response?.headers['retry-after'] as string | undefined;
  return visible === undefined ? 'backoff + jitter' : `Retry-After: ${visible}`;
}

async function call(route: string, method: 'get' | 'post' = 'get'): Promise<void> {
  const adapter = adapterSelect.value as 'xhr' | 'fetch';
  const api = createResilientAxios({
    retries: 4,
    baseDelayMs: 300,
    retryBudget: false,
    idempotencyKey: true,
    axios: { baseURL: apiOrigin, adapter, timeout: 5000 },
    onRetry: ({ attempt, delayMs, reason, error }) =>
      line(`attempt ${attempt} failed (${reason}); waiting ${delayMs} ms (${waitSource(error)})`, 'wait'),
    onGiveUp: ({ attempts, reason }) => line(`giving up after ${attempts} attempt(s): ${reason}`, 'fail'),
  });
  api.interceptors.request.use((config) => {
    line(`→ ${config.method?.toUpperCase()} ${config.url}`);
    return config;
  });

  controller?.abort();
  controller = new AbortController();
  abortButton.disabled = false;
  log.replaceChildren();
  startedAt = performance.now();
  const url = `${route}${route.includes('?') ? '&' : '?'}run=${++run}`;
  line(`${method.toUpperCase()} ${apiOrigin}${url} with the ${adapter} adapter`, 'head');
  try {
    const response = await api.request({
      method,
      url,
      data: method === 'post' ? { order: run } : undefined,
      signal: controller.signal,
    });
    const state = getRetryState(response);
    line(
      `✓ ${response.status} ${JSON.stringify(response.data)} — ${state?.attempts} attempt(s), waits [${state?.delaysMs.join(', ')}] ms`,
      'ok',
    );
  } catch (error) {
    const state = getRetryState(error);
    const what = axios.isCancel(error)
      ? 'CanceledError'
      : `${(error as AxiosError).code} ${(error as AxiosError).message}`;
    line(`✗ ${what} — ${state?.attempts ?? 0} attempt(s), reason: ${state?.reason ?? 'n/a'}`, 'fail');
  } finally {
    abortButton.disabled = true;
  }
}

for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-route]')) {
  button.addEventListener('click', () => {
    void call(button.dataset.route!, button.dataset.method === 'post' ? 'post' : 'get');
  });
}
abortButton.addEventListener('click', () => {
  line('abort() called', 'fail');
  controller?.abort();
});
