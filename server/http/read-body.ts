// Reads a JSON request body with a size cap; a body that is not JSON is the client's fault (400).
import type { IncomingMessage } from 'node:http';
import { badRequest, HttpError } from './http-error';

const MAX_BYTES = 256 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BYTES) throw new HttpError(413, `the request body is larger than ${MAX_BYTES / 1024} KiB`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') throw badRequest('the request needs a JSON body');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}
