/**
 * Replies of route handlers and how they go on the wire: JSON (optionally gzip), streamed JSON for huge
 * listings (written in chunks with backpressure, never one giant string), HTML error pages, and the v1
 * error envelope with its configurable HTTP status.
 */
import type { ServerResponse } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';
import type { V1ErrorCode } from '../encord/protocol/types.js';
import type { EmulatorSettings } from './options.js';

export type Reply =
  | {
      readonly kind: 'json';
      readonly status: number;
      /** Serialized JSON text. */
      readonly text: string;
      readonly headers?: Readonly<Record<string, string>>;
      /** What the request log shows instead of `text` (secrets in the body). */
      readonly logText?: string;
    }
  | {
      readonly kind: 'stream';
      readonly status: number;
      /** JSON text in pieces, produced lazily. */
      readonly chunks: () => Iterable<string>;
    }
  | { readonly kind: 'html'; readonly status: number; readonly html: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'empty'; readonly status: 204 };

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return headers === undefined
    ? { kind: 'json', status, text: JSON.stringify(value) }
    : { kind: 'json', status, text: JSON.stringify(value), headers };
}

/** v2 error: `{"message": …}` with the status. */
export function v2Error(status: number, message: string, headers?: Record<string, string>): Reply {
  return json(status, { message }, headers);
}

/** v1 success envelope. */
export function v1Ok(response: unknown): Reply {
  return json(200, { status: 200, response });
}

/** v1 error envelope `{"status", "response": [CODE], "payload"}`; HTTP status mirrors it unless configured. */
export function v1Error(
  settings: EmulatorSettings,
  status: number,
  code: V1ErrorCode,
  payload?: string,
  headers?: Record<string, string>,
): Reply {
  const body = payload === undefined ? { status, response: [code] } : { status, response: [code], payload };
  return json(settings.v1ErrorStatus === 'mirror' ? status : 200, body, headers);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function htmlPage(status: number): Reply {
  const text = STATUS_TEXT[status] ?? 'Error';
  return {
    kind: 'html',
    status,
    html:
      `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n` +
      `<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export interface SentReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Body text as logged (cut to `logChars` for streams). */
  readonly body: string;
  readonly truncated: boolean;
}

/** Write a reply; resolves when the body has been handed to the socket. */
export async function sendReply(
  res: ServerResponse,
  reply: Reply,
  options: { gzip: boolean; acceptEncoding: string | undefined; logChars: number },
): Promise<SentReply> {
  const gzip = options.gzip && acceptsGzip(options.acceptEncoding);
  if (reply.kind === 'empty') {
    res.writeHead(204);
    res.end();
    return { status: 204, headers: {}, body: '', truncated: false };
  }
  if (reply.kind === 'stream') return sendStream(res, reply, gzip, options.logChars);
  const contentType = reply.kind === 'html' ? 'text/html; charset=utf-8' : 'application/json';
  const text = reply.kind === 'html' ? reply.html : reply.text;
  const headers: Record<string, string> = { 'content-type': contentType, ...(reply.headers ?? {}) };
  let payload = Buffer.from(text, 'utf8');
  if (gzip && payload.length > 1024) {
    payload = gzipSync(payload);
    headers['content-encoding'] = 'gzip';
    headers['vary'] = 'Accept-Encoding';
  }
  headers['content-length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(payload);
  const logged = reply.kind === 'json' && reply.logText !== undefined ? reply.logText : text;
  return { status: reply.status, headers, body: logged, truncated: false };
}

async function sendStream(
  res: ServerResponse,
  reply: Extract<Reply, { kind: 'stream' }>,
  gzip: boolean,
  logChars: number,
): Promise<SentReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (gzip) {
    headers['content-encoding'] = 'gzip';
    headers['vary'] = 'Accept-Encoding';
  }
  res.writeHead(reply.status, headers);
  const sink = gzip ? createGzip({ level: 1 }) : res;
  if (gzip) sink.pipe(res);
  let logged = '';
  let truncated = false;
  const waitDrain = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        sink.off('drain', done);
        res.off('close', done);
        resolve();
      };
      sink.on('drain', done);
      res.on('close', done);
    });
  for (const chunk of reply.chunks()) {
    if (res.destroyed) break;
    if (logged.length < logChars) logged += chunk.slice(0, logChars - logged.length);
    else truncated = true;
    if (!sink.write(chunk)) await waitDrain();
  }
  sink.end();
  return { status: reply.status, headers, body: logged, truncated };
}
