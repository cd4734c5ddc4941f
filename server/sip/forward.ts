// Sends one request outside a dialog and reports its final outcome. Uses srf's
// callback form of request(): the promise form misses responses that arrive in the same read as
// the API echo (ENVIRONMENT.md).
import type { RequestSender } from './srf-types';

export interface ForkOutcome {
  contact: string;
  status: number; // 408 when no final response came in time
  reason: string;
  userAgent?: string;
  server?: string;
}

export function sendRequest(
  srf: RequestSender,
  uri: string,
  opts: { method: string; headers: Record<string, string>; body?: string; proxy?: string },
  timeoutMs: number,
): Promise<ForkOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: ForkOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    const timer = setTimeout(() => finish({ contact: uri, status: 408, reason: 'Request Timeout' }), timeoutMs).unref();
    srf.request(uri, opts, (err, req) => {
      if (err) return finish({ contact: uri, status: 503, reason: `Not sent: ${err.message}` });
      req.on('response', (res) => {
        if (res.status < 200) return;
        finish({ contact: uri, status: res.status, reason: res.reason, userAgent: res.get('User-Agent'), server: res.get('Server') });
      });
    });
  });
}
