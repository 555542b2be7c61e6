/**
 * The HTTP layer: one undici `Pool` per origin (keep-alive, `connections` = the client's concurrency, no
 * pipelining), explicit headers/body timeouts, every response body consumed (an unread body pins its
 * connection), gzip/deflate/br decoded. Network failures become `EncordApiError`s with a retry verdict.
 * This is the only module that imports undici.
 */
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import { brotliDecompress, createBrotliDecompress, createGunzip, createInflate, gunzip, inflate } from 'node:zlib';
import { JsonArrayExtractor } from './json-array-extractor.js';
import type { Dispatcher } from 'undici';
// undici's index loads all of undici (fetch, WebSocket, caches, cookies, HTTP/2 and more): ~120 ms of CPU
// at every start of the bin, a sixth of a short command. We use a Pool, a ProxyAgent and `request`, so we
// load those modules and put the request API on Dispatcher.prototype as the index does (undici is pinned
// to an exact version: these paths are checked by every test that sends a request).
import Pool from 'undici/lib/dispatcher/pool.js';
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import undiciApi from 'undici/lib/api/index.js';

Object.assign(DispatcherClass.prototype, undiciApi);
import { EncordApiError, type RequestContext } from './errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const brotliAsync = promisify(brotliDecompress);

export interface HttpRequest {
  readonly method: string;
  /** Path plus query string, exactly as it goes on the request line (it is what v2 signs). */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * Stream-parse a 200 answer: each element of the array at `path` goes to `onItem` as JSON text, and the
   * returned body is the rest of the document with that array empty. For answers too big for one string.
   */
  readonly extract?: { readonly path: readonly string[]; readonly onItem: (json: string) => void } | undefined;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The decoded body (empty for none). */
  readonly body: Buffer;
}

export interface HttpTransportOptions {
  /** Connections per origin. */
  readonly connections: number;
  /** Applied to connect, headers and body separately (like the SDK's per-operation timeouts). */
  readonly timeoutMs: number;
  /** Forward proxy URL (credentials allowed: sent as `Proxy-Authorization`, never logged). @default direct */
  readonly proxyUrl?: string | undefined;
}

/** Errors whose retry cannot help (the host name does not resolve, a local bug). */
const PERMANENT_NETWORK_CODES = new Set(['ENOTFOUND', 'UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_URL']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const CLOSED_CODES = new Set(['UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

/** First header value, lower-cased lookup. */
export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Turn a thrown network error into an `EncordApiError` with a retry verdict. */
export function classifyNetworkError(error: unknown, context: RequestContext, signal?: AbortSignal): EncordApiError {
  if (error instanceof EncordApiError) return error;
  if (signal?.aborted === true) {
    return new EncordApiError('ABORTED', 'The request was aborted', context, { cause: error });
  }
  const code = errorCode(error);
  const text = error instanceof Error ? error.message : String(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new EncordApiError('TIMEOUT', `No answer from Encord in time: ${text} (${code})`, context, { cause: error });
  }
  if (code !== undefined && CLOSED_CODES.has(code)) {
    return new EncordApiError('ABORTED', `The client was closed while a request was running (${code})`, context, {
      cause: error,
    });
  }
  const retryable = code === undefined || !PERMANENT_NETWORK_CODES.has(code);
  return new EncordApiError(
    'TRANSPORT',
    `Network error talking to Encord: ${text}${code === undefined ? '' : ` (${code})`}`,
    context,
    { cause: error, retryable },
  );
}

function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  // undici wraps socket errors; the errno code may sit on the cause.
  for (let depth = 0; depth < 3 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

async function decode(body: Buffer, encoding: string | undefined, context: RequestContext, status: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (body.length === 0 || enc === 'identity' || enc === '') return body;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return await gunzipAsync(body);
    if (enc === 'deflate') return await inflateAsync(body);
    if (enc === 'br') return await brotliAsync(body);
  } catch (error) {
    throw new EncordApiError('TRANSPORT', `Could not decode the ${enc}-encoded answer`, context, {
      status,
      cause: error,
      retryable: status >= 500,
    });
  }
  throw new EncordApiError('BAD_RESPONSE', `Unsupported Content-Encoding "${enc}" in the answer`, context, { status });
}

/** Decode and stream a body through a `JsonArrayExtractor`; resolves with the skeleton document. */
async function extractBody(
  res: { body: AsyncIterable<Buffer> & NodeJS.ReadableStream & { dump(): Promise<void> }; headers: HttpResponse['headers']; statusCode: number },
  extract: NonNullable<HttpRequest['extract']>,
  context: RequestContext,
): Promise<Buffer> {
  const enc = (headerValue(res.headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
  const decoder = enc === 'gzip' || enc === 'x-gzip' ? createGunzip() : enc === 'deflate' ? createInflate() : enc === 'br' ? createBrotliDecompress() : undefined;
  if (decoder === undefined && enc !== 'identity' && enc !== '') {
    await res.body.dump();
    throw new EncordApiError('BAD_RESPONSE', `Unsupported Content-Encoding "${enc}" in the answer`, context, { status: res.statusCode });
  }
  const text = new StringDecoder('utf8');
  const extractor = new JsonArrayExtractor(extract.path, extract.onItem);
  try {
    // Flowing mode ('data' events), not `for await`: the async iterator's read() re-concatenates the
    // buffered chunks, which cost more than the parsing itself on a 600 MB answer.
    await new Promise<void>((resolve, reject) => {
      const source: NodeJS.ReadableStream = decoder === undefined ? res.body : res.body.pipe(decoder);
      source.on('data', (chunk: Buffer) => {
        try {
          extractor.write(text.write(chunk));
        } catch (error) {
          reject(error);
        }
      });
      source.on('end', () => resolve());
      source.on('error', reject);
      if (decoder !== undefined) res.body.on('error', reject);
    });
    extractor.write(text.end());
    return Buffer.from(extractor.end(), 'utf8');
  } catch (error) {
    if (error instanceof EncordApiError) throw error;
    const cut = error instanceof Error && /ended early/.test(error.message);
    throw new EncordApiError('TRANSPORT', cut ? 'The answer was cut short' : `Could not read the answer: ${(error as Error).message}`, context, {
      status: res.statusCode,
      cause: error,
      retryable: true,
    });
  }
}

export class HttpTransport {
  readonly #pools = new Map<string, Dispatcher>();
  readonly #options: HttpTransportOptions;
  #closed = false;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
  }

  #pool(origin: string): Dispatcher {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      const o = this.#options;
      pool =
        o.proxyUrl === undefined
          ? new Pool(origin, { connections: o.connections, pipelining: 1, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs, connectTimeout: o.timeoutMs })
          : // Through the proxy: CONNECT tunnels for https, absolute-URI requests for http (as requests does).
            new ProxyAgent({
              uri: o.proxyUrl,
              proxyTunnel: origin.startsWith('https:'),
              connections: o.connections,
              pipelining: 1,
              headersTimeout: o.timeoutMs,
              bodyTimeout: o.timeoutMs,
              connect: { timeout: o.timeoutMs },
            });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Send one request and read the whole (decoded) body. Throws `EncordApiError` for network failures. */
  async send(origin: string, request: HttpRequest, context: RequestContext): Promise<HttpResponse> {
    if (this.#closed) throw new EncordApiError('ABORTED', 'The client is closed', context);
    try {
      const res = await this.#pool(origin).request({
        origin,
        method: request.method as 'GET',
        path: request.target,
        headers: request.headers,
        body: request.body ?? null,
        signal: request.signal ?? null,
      });
      if (request.extract !== undefined && res.statusCode === 200) {
        return { status: res.statusCode, headers: res.headers, body: await extractBody(res, request.extract, context) };
      }
      // Read to the end even for errors: an unconsumed body keeps the connection busy.
      const raw = Buffer.from(await res.body.arrayBuffer());
      const body = await decode(raw, headerValue(res.headers, 'content-encoding'), context, res.statusCode);
      return { status: res.statusCode, headers: res.headers, body };
    } catch (error) {
      throw classifyNetworkError(error, context, request.signal);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}
