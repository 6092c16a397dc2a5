// What the observe listener (server.ts) asks of extra handlers, such as the status page: handle
// the request and say true, or say false and let the next one (or the 404) have it.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Route = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => boolean | Promise<boolean>;
