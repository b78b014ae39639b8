import axios from 'axios';
import type { RequestInfo } from '../../src/telemetry/types.js';

/** What the plugin tells a telemetry sink of a GET starting, for tests that call a sink directly. */
export function requestInfo(url = 'http://127.0.0.1/items', scope = 'http://127.0.0.1:80'): RequestInfo {
  return { config: { headers: new axios.AxiosHeaders() } as never, method: 'GET', url, scope };
}
