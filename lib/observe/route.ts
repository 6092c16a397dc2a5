import type { IncomingMessage, ServerResponse } from 'node:http';
/** Answers a request and returns true, or returns false to let the next route try. */
export type Route = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => boolean | Promise<boolean>;
