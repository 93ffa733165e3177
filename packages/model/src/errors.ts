/**
 * One catalogue of the errors strato answers with. Every error carries the HTTP status it maps to;
 * the REST layer renders it as Stratos's envelope `{"status":"error","message":...}`.
 */
export type ErrorKind =
  | 'invalid-input' // 400: a field is missing, has the wrong type, or breaks a rule
  | 'unauthenticated' // 401: no credentials or wrong ones
  | 'forbidden' // 403: authenticated, but not allowed
  | 'not-found' // 404: unknown id
  | 'method-not-allowed' // 405
  | 'not-acceptable' // 406
  | 'conflict' // 409: duplicate id, still in use, wrong state
  | 'payload-too-large' // 413
  | 'unsupported-media-type' // 415
  | 'unavailable'; // 503: the control plane did not finish the operation within the request bound

const STATUS: Record<ErrorKind, number> = {
  'invalid-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'not-acceptable': 406,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unavailable: 503,
};

/** The longest run of non-blank characters a message quotes from the input before abbreviating it. */
export const MAX_QUOTED_LENGTH = 120;
const LONG_WORD = new RegExp(`\\S{${MAX_QUOTED_LENGTH + 1},}`, 'g');
/** The longest message an error carries. */
export const MAX_MESSAGE_LENGTH = 2000;

/**
 * Bounds what an error message echoes back: a message names the offending value, and a value can be
 * a megabyte long, so every word longer than MAX_QUOTED_LENGTH keeps its first characters and says
 * how long it was, and the whole message is cut at MAX_MESSAGE_LENGTH.
 */
export function boundedMessage(message: string): string {
  const words = message.replace(LONG_WORD, (word) => `${word.slice(0, 80)}...(${word.length} characters)`);
  return words.length > MAX_MESSAGE_LENGTH ? `${words.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : words;
}

export class StratoError extends Error {
  readonly kind: ErrorKind;
  readonly statusCode: number;
  constructor(kind: ErrorKind, message: string) {
    super(boundedMessage(message));
    this.name = 'StratoError';
    this.kind = kind;
    this.statusCode = STATUS[kind];
  }
}

export const invalid = (message: string) => new StratoError('invalid-input', message);
export const notFound = (message: string) => new StratoError('not-found', message);
export const conflict = (message: string) => new StratoError('conflict', message);
export const forbidden = (message: string) => new StratoError('forbidden', message);
export const unauthenticated = (message: string) => new StratoError('unauthenticated', message);
export const unavailable = (message: string) => new StratoError('unavailable', message);

export function isStratoError(e: unknown): e is StratoError {
  return e instanceof StratoError;
}
