import http from 'node:http';
import https from 'node:https';

export interface PostAnswer {
  status: number;
  retryAfter: string | null;
}

/** Thrown when the request cannot even be built (a header value with a newline, ...): a retry cannot help. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';

  constructor(readonly code: string) {
    super(`invalid webhook request (${code})`);
  }
}

// Keep-alive: a steady stream of alerts to one receiver reuses its connections.
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * POSTs `body` and reads the answer to its end, within `timeoutMs` overall (connect, send, answer).
 * node:http rather than fetch: fetch refuses some ports outright (the browsers' "bad ports", 6000,
 * 6665-6669, ...), which a server sending to an operator's endpoint has no reason to do, and its
 * errors hide the cause. Network failures reject with the socket error (its `code`); a timeout
 * rejects with code `timeout`, and `signal` (a stop's deadline) with code `shutdown`.
 */
export function httpPost(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, signal?: AbortSignal): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(
        url,
        { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: secure ? agents.https : agents.http },
        (res) => {
          res.resume();
          res.on('error', reject);
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
          });
        },
      );
    } catch (err) {
      return reject(new InvalidRequestError(String((err as NodeJS.ErrnoException).code ?? 'ERR_INVALID_REQUEST')));
    }
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('webhook request timed out'), { code: 'timeout' })), timeoutMs);
    const cut = () => req.destroy(Object.assign(new Error('webhook request cut short by the stop deadline'), { code: 'shutdown' }));
    if (signal?.aborted) cut();
    else signal?.addEventListener('abort', cut, { once: true });
    req.on('error', reject);
    req.on('close', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cut);
    });
    req.end(body);
  });
}
