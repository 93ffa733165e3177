/**
 * How the CLI fails: one line on stderr naming what went wrong (the server's message and error code
 * when the server answered), never a stack trace, and an exit code scripts can test.
 */
import { StratoApiError, StratoUnreachableError } from '@strato/client';

/** Exit codes of `strato`. */
export const EXIT = {
  ok: 0,
  /** the operation failed: the server refused it, a deploy failed or timed out, a file was wrong */
  failed: 1,
  /** the command line itself was wrong (unknown command or option, missing argument) */
  usage: 2,
} as const;

/** A failure the CLI explains in its own words. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** The one line that describes an error to the user (without the `error: ` prefix). */
export function describeError(e: unknown): string {
  if (e instanceof StratoApiError) {
    const code = e.code ? `${e.code}, ` : '';
    return `${e.message} (${code}HTTP ${e.status})`;
  }
  if (e instanceof StratoUnreachableError) {
    return `cannot reach strato at ${e.baseUrl}: ${e.reason}`;
  }
  if (e instanceof CliError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
