/**
 * What a failed call to strato's REST API throws: the HTTP status, the server's message (Stratos's
 * envelope `{"status":"error","message":...}`) and, where the server gives one, its stable error
 * code. Transport failures (server unreachable, no answer in time) are `StratoUnreachableError`.
 */
export class StratoApiError extends Error {
  override readonly name = 'StratoApiError';
  constructor(
    /** HTTP status code of the answer (4xx or 5xx) */
    readonly status: number,
    message: string,
    /** the server's stable error code, when it sends one */
    readonly code: string | undefined,
    /** METHOD path of the request */
    readonly request: string,
    /** seconds the server asked to wait before trying again (429, 503) */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  /** 404: the resource does not exist. */
  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** 409: duplicate, still in use, or in the wrong state. */
  get isConflict(): boolean {
    return this.status === 409;
  }

  /** 401: no credentials, or wrong ones. */
  get isUnauthenticated(): boolean {
    return this.status === 401;
  }
}

/** The server could not be reached, or did not answer within the client's timeout. */
export class StratoUnreachableError extends Error {
  override readonly name = 'StratoUnreachableError';
  constructor(
    readonly baseUrl: string,
    readonly request: string,
    readonly reason: string,
  ) {
    super(`strato at ${baseUrl} could not be reached (${request}): ${reason}`);
  }
}
