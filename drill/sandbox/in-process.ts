/**
 * HTTP handed over in process. The sandbox's servers (and dynalite) live in the drill's own process:
 * a request the SDK writes for one of them is given to that server's request listener as the
 * request it would have read from its socket (method, path and query, headers, body bytes), and the
 * answer it writes (status, headers, body bytes) is what the SDK reads. No socket, no HTTP parser in
 * between: about 0.4 ms of CPU less per call here, where a drill makes about 140 calls a run.
 *
 * What stays real: every byte of each request and answer, as the SDK serializes, signs and parses
 * them, and the servers' own code. What is modelled: a server that closes the connection without
 * an answer (a `timeout` fault, or a hold) ends the call as Node.js ends it, `socket hang up` with
 * code ECONNRESET, which the SDK's HTTP handler names TimeoutError. Not modelled: the client's
 * connection and request timeouts (a hold ends within milliseconds in the drill), and streaming: an
 * answer reaches the client once it is complete. A server nobody registered (the approval pages a
 * browser opens, a test's own server) is reached over its port as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type RequestListener, type ServerResponse } from 'node:http';
import { PassThrough, Readable, Writable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { buildQueryString, HttpResponse } from '@smithy/core/protocols';
import type { HttpRequest } from '@smithy/types';
import { CALLER_HEADER, currentCaller } from '../callers';

const served = new Map<string, RequestListener>();

/**
 * The context a server reads a request in: its own, as from a socket, not the client's. Taken when
 * this module loads, outside any drill function: what the sandbox does for a call (an execution it
 * starts, and that execution's calls) is not the calling function's (drill/callers.ts).
 */
const serverSide = AsyncLocalStorage.snapshot();

/** A server's key: its host and port, as a URL names them and as an SDK request does. */
const keyOf = (hostname: string, port: string | number | undefined) => `${hostname}:${port ?? ''}`;
const keyOfUrl = (url: string) => {
  const { hostname, port } = new URL(url);
  return keyOf(hostname, port);
};

/** Requests for `url` (http://HOST:PORT) go to `listener` in process; the returned function ends that. */
export function serveInProcess(url: string, listener: RequestListener): () => void {
  const key = keyOfUrl(url);
  served.set(key, listener);
  return () => {
    if (served.get(key) === listener) served.delete(key);
  };
}

/** A request as a server reads it. */
export interface ExchangeRequest {
  readonly method: string;
  /** The path and query string. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable | Uint8Array | string | undefined;
}

/** An answer as a client reads it. */
export interface ExchangeResponse {
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** How Node.js ends a request whose connection closed without an answer. */
function socketHangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** Headers as a client reads them: one string each (a repeated header's values joined, as Node.js joins most). */
const joined = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])));

/** A server's response, kept in memory: complete once the server ends it, a hang-up if it destroys it first. */
class InProcessResponse extends Writable {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  private readonly fields = new Map<string, string | string[]>();
  private readonly chunks: Buffer[] = [];
  private settled = false;

  constructor(private readonly settle: (outcome: ExchangeResponse | Error) => void) {
    super();
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.fields.set(name.toLowerCase(), Array.isArray(value) ? [...value] : String(value));
    return this;
  }

  writeHead(status: number, reason?: string | OutgoingHttpHeaders, headers?: OutgoingHttpHeaders): this {
    this.statusCode = status;
    if (typeof reason === 'string') this.statusMessage = reason;
    const fields = typeof reason === 'object' ? reason : headers;
    for (const [name, value] of Object.entries(fields ?? {})) if (value !== undefined) this.setHeader(name, value as string | string[]);
    this.headersSent = true;
    return this;
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.headersSent = true;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
    done();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.headersSent = true;
    this.finish({ statusCode: this.statusCode, statusMessage: this.statusMessage, body: Buffer.concat(this.chunks), headers: joined(Object.fromEntries(this.fields)) });
    done();
  }

  override _destroy(_error: Error | null, done: (error?: Error | null) => void): void {
    this.finish(socketHangUp());
    done(null);
  }

  private finish(outcome: ExchangeResponse | Error): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(outcome);
  }
}

/** Gives `request` to `listener` as its server would read it; resolves with the complete answer, rejects as a hang-up. */
export function exchange(listener: RequestListener, request: ExchangeRequest, abortSignal?: AbortSignal): Promise<ExchangeResponse> {
  return new Promise((resolve, reject) => {
    const res = new InProcessResponse((outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
    const body = new PassThrough();
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([, v]) => v !== undefined).map(([k, v]) => [k.toLowerCase(), v]));
    const req = Object.assign(body, {
      method: request.method, url: request.url, headers,
      socket: { remoteAddress: '127.0.0.1', destroy: () => void res.destroy() },
    });
    if (abortSignal) {
      const abort = () => {
        res.destroy();
        reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
      };
      if (abortSignal.aborted) return abort();
      abortSignal.addEventListener('abort', abort, { once: true });
    }
    serverSide(() => {
      listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
      // Written here too: the request's events reach the listener in its own context.
      const payload = request.body;
      if (payload instanceof Readable) payload.pipe(body);
      else body.end(payload === undefined ? undefined : typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
    });
  });
}

/**
 * Sends `request` to the server at `url` (http://HOST:PORT) and reads its whole answer: handed over
 * in process when that server is served here (exchange), over its socket when it is not.
 */
export function forward(url: string, request: ExchangeRequest & { readonly body: Buffer }): Promise<ExchangeResponse> {
  const listener = served.get(keyOfUrl(url));
  if (listener) return exchange(listener, request);
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const sent = httpRequest({ host: hostname, port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('error', reject);
      answer.on('end', () => resolve({
        statusCode: answer.statusCode ?? 500, statusMessage: answer.statusMessage ?? '', headers: joined(answer.headers), body: Buffer.concat(chunks),
      }));
    });
    sent.on('error', reject);
    sent.end(request.body);
  });
}

let handedOver = false;

/**
 * From now on, every SDK client of this process (any made before too) hands a request for a server
 * served in process to it (exchange), and the rest to its socket as before. The function named by
 * asCaller is sent in the x-drill-caller header, as the diagnostics channel adds it to a socket's
 * request (drill/callers.ts).
 */
export function handOverSdkCalls(): void {
  if (handedOver) return;
  const prototype = NodeHttpHandler.prototype as unknown as {
    handle(request: HttpRequest, options?: { abortSignal?: AbortSignal }): Promise<{ response: HttpResponse }>;
  };
  const overSocket = prototype.handle;
  if (typeof overSocket !== 'function') throw new Error('the SDK\'s HTTP handler changed shape: drill/sandbox/in-process.ts needs updating');
  prototype.handle = async function (this: unknown, request, options) {
    const listener = served.get(keyOf(request.hostname, request.port));
    if (!listener) return overSocket.call(this, request, options);
    const query = request.query ? buildQueryString(request.query) : '';
    const caller = currentCaller();
    try {
      const answer = await exchange(listener, {
        method: request.method, url: query ? `${request.path}?${query}` : request.path,
        headers: { ...request.headers, ...(caller === undefined ? {} : { [CALLER_HEADER]: caller }) },
        body: request.body as ExchangeRequest['body'],
      }, options?.abortSignal);
      const body = new PassThrough();
      body.end(answer.body);
      return { response: new HttpResponse({ statusCode: answer.statusCode, reason: answer.statusMessage, headers: answer.headers, body }) };
    } catch (e: unknown) {
      // As NodeHttpHandler names a reset connection.
      throw (e as { code?: string }).code === 'ECONNRESET' ? Object.assign(e as Error, { name: 'TimeoutError' }) : e;
    }
  };
  handedOver = true;
}
