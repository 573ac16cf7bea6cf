/**
 * Error codes of the lines themselves: the request/response protocol every
 * transport speaks (Electron IPC, WebSocket + HTTP chunks, the helper's
 * JSON-RPC socket) and the generic outcomes any call can have.
 */
export const transportErrorCodes = [
  'BAD_REQUEST', // a frame that is not a request at all
  'BAD_PARAMS', // params fail the method's schema
  'BAD_RESULT', // a handler returned something its schema refuses (a bug)
  'METHOD_NOT_FOUND',
  'METHOD_NOT_ALLOWED', // web mode: an HTTP method the path does not take
  'NOT_FOUND', // web mode: no such path
  'LENGTH_REQUIRED', // web mode: a chunk PUT without its Content-Length
  'EVENT_NOT_FOUND', // a subscription to an event the contract does not have
  'TOO_MANY_SUBSCRIPTIONS',
  'FRAME_TOO_LARGE',
  'PARSE_ERROR',
  'PEER_REFUSED', // SO_PEERCRED uid not allowed
  'UNAUTHORIZED', // web mode: missing or wrong token or session
  'FORBIDDEN_ORIGIN',
  'WEB_HOST_NOT_LOOPBACK', // web mode refuses to listen beyond 127.0.0.1 / ::1
  'TRANSPORT_UNAVAILABLE', // the renderer found no bridge to main
  'TRANSPORT_FAILED', // a request could not be sent or its answer read
  'TRANSPORT_CLOSED', // the connection closed with the call in flight
  'TIMEOUT',
  'CANCELLED',
  'INTERNAL',
] as const;
