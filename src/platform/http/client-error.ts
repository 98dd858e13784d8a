import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from '../errors/error-body.js';

const ANSWERS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request/headers_too_large', 'request headers exceed the size limit'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'request/too_large', 'chunk extensions exceed the size limit'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request/timeout', 'the request took too long to arrive'],
};

/**
 * The HTTP server's 'clientError' handler: requests Node's parser refuses before Express sees them (headers
 * over maxHeaderSize, malformed HTTP, a request timeout) get the service's JSON error body with a request id,
 * instead of Node's bare status line.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // As Node's default handler: nothing can be written to a socket that is gone or already carrying a response.
  const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || inProgress) {
    socket.destroy();
    return;
  }
  const [status, code, message] = ANSWERS[error.code ?? ''] ?? [
    400,
    'request/malformed',
    'the request is not valid HTTP',
  ];
  const body = JSON.stringify({ ...errorBody(status, code, message), requestId: randomUUID() });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
