/**
 * The repository password of an ArtifactUpdatedEvent, as Stratos's agent decrypts it
 * (cartridge-agent.md §1.3): AES-128-ECB without IV, base64 ciphertext, the 16-character
 * `CARTRIDGE_KEY` as key. Stratos's Java side pads with PKCS#5; its Python agent does not unpad but
 * strips non-printable characters, which is what this does too (so a password without padding,
 * from another encryptor, reads the same). Never log the result.
 */
import { createRequire } from 'node:module';

/** node:crypto is loaded only when a password arrives (less resident memory for the rest). */
const crypto = (): typeof import('node:crypto') => createRequire(import.meta.url)('node:crypto');

/** Decrypts a base64 AES/ECB ciphertext with a 16-byte key. Throws on a malformed ciphertext or key. */
export function decryptRepoPassword(ciphertextBase64: string, cartridgeKey: string): string {
  const key = Buffer.from(cartridgeKey, 'utf8');
  if (key.length !== 16) throw new Error('CARTRIDGE_KEY must have 16 bytes');
  const data = Buffer.from(ciphertextBase64, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new Error('The repository password is not an AES ciphertext (base64 of a multiple of 16 bytes)');
  const decipher = crypto().createDecipheriv('aes-128-ecb', key, null);
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  // Python 2 turned the bytes into text byte for byte, then kept the printable characters
  let out = '';
  for (const byte of plain) if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
  return out;
}
