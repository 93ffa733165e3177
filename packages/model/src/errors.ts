import { ERROR_CATALOGUE, fillTemplate, type ErrorCode, type ErrorParamsArg } from './error-catalogue.ts';

export { ERROR_CATALOGUE, ERROR_CODES, errorCatalogueMarkdown, type CatalogueEntry, type ErrorCode, type ErrorParams } from './error-catalogue.ts';

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

/** The message of an error of this code: its template filled in, bounded. */
export function errorMessage<C extends ErrorCode>(code: C, ...[params]: ErrorParamsArg<C>): string {
  return boundedMessage(fillTemplate(code, params));
}

/**
 * An error strato answers with: a code of the catalogue (error-catalogue.ts), the HTTP status the
 * catalogue gives it and its message, the code's template filled in with the parameters. There is
 * no other way to build one: every error has its entry in the catalogue. The REST layer renders it
 * as Stratos's envelope with the code: `{"status":"error","message":...,"code":...}`.
 */
export class StratoError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly statusCode: number;
  constructor(code: C, ...[params]: ErrorParamsArg<C>) {
    super(errorMessage(code, ...([params] as ErrorParamsArg<C>)));
    this.name = 'StratoError';
    this.code = code;
    this.statusCode = ERROR_CATALOGUE[code].status;
  }
}

/** An error of the catalogue: `error('ARTIFACT_NOT_FOUND', { label: 'Cartridge', tag: 'cartridge-type', id })`. */
export function error<C extends ErrorCode>(code: C, ...params: ErrorParamsArg<C>): StratoError<C> {
  return new StratoError(code, ...params);
}

export function isStratoError(e: unknown): e is StratoError {
  return e instanceof StratoError;
}
