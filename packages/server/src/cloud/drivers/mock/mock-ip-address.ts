/**
 * The addresses the mock IaaS hands out. As in Stratos, private addresses are `10.0.0.<n>` and
 * public ones `20.0.0.<n>`, `n` from a persisted sequence starting at 1.
 *
 * Stratos simply wrote `10.0.0.<n>`, which stops being an address after 255 members. strato keeps
 * Stratos's addresses for the first 254 and then rolls over into the next octets, skipping the
 * network (.0) and broadcast (.255) host numbers: with `k = n - 1`,
 * `<first>.<k / (254 × 256)>.<(k / 254) mod 256>.<k mod 254 + 1>`. So n = 254 → `10.0.0.254`,
 * n = 255 → `10.0.1.1`, n = 65 025 → `10.1.0.1`; the sequence is exhausted after 254 × 256 × 256
 * (16 646 144) instances.
 */

/** The largest sequence number {@link mockIpAddress} accepts. */
export const MAX_MOCK_ADDRESS_SEQUENCE = 254 * 256 * 256;

/**
 * The address number `sequence` (from 1) in the mock network whose first octet is `firstOctet`
 * (10 for private, 20 for public addresses).
 */
export function mockIpAddress(firstOctet: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_MOCK_ADDRESS_SEQUENCE) {
    throw new Error(`Mock IaaS address sequence ${sequence} is out of range 1..${MAX_MOCK_ADDRESS_SEQUENCE}`);
  }
  const k = sequence - 1;
  const host = (k % 254) + 1;
  const third = Math.floor(k / 254) % 256;
  const second = Math.floor(k / (254 * 256));
  return `${firstOctet}.${second}.${third}.${host}`;
}
