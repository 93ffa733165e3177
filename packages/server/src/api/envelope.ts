/** Stratos's response envelope (ResponseMessageBean): `{"status":"success"|"error","message":...}`. */
export interface Envelope {
  status: 'success' | 'error';
  message: string;
}

export const success = (message: string): Envelope => ({ status: 'success', message });
export const failure = (message: string): Envelope => ({ status: 'error', message });
