import type { ErrorCode } from '@strato/model';

/**
 * Stratos's response envelope (ResponseMessageBean): `{"status":"success"|"error","message":...}`;
 * an error carries its stable code as one more field (docs/errors.md), which Stratos's clients ignore.
 */
export interface Envelope {
  status: 'success' | 'error';
  message: string;
  code?: ErrorCode;
}

export const success = (message: string): Envelope => ({ status: 'success', message });
export const failure = (message: string, code: ErrorCode): Envelope => ({ status: 'error', message, code });
