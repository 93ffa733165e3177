/**
 * Serialises a record body to JSON text.
 * @throws TypeError when the body has no JSON form (undefined, a function, a symbol, a bigint).
 */
export function encodeBody(kind: string, id: string, body: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch (err) {
    throw new TypeError(`the body of ${kind} "${id}" cannot be stored as JSON: ${(err as Error).message}`);
  }
  if (text === undefined) {
    throw new TypeError(`the body of ${kind} "${id}" cannot be stored as JSON (it is ${typeof body})`);
  }
  return text;
}
