/**
 * The repository password of an `ArtifactUpdatedEvent`, as Stratos encrypts it (`CommonUtil`):
 * AES-128 in ECB mode with PKCS5 padding, the cluster's 16-character `CARTRIDGE_KEY` as the key,
 * base64. Stratos's agent decrypts it with the `CARTRIDGE_KEY` of its launch payload (it does not
 * unpad, it strips non-printable characters, which PKCS5 padding bytes are).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

function keyOf(cartridgeKey: string): Buffer {
  const key = Buffer.from(cartridgeKey, 'utf8');
  if (key.length !== 16) throw new Error('a CARTRIDGE_KEY must be 16 bytes long to be an AES-128 key');
  return key;
}

/** base64(AES-128-ECB-PKCS5(password, key)). */
export function encryptRepoPassword(password: string, cartridgeKey: string): string {
  const cipher = createCipheriv('aes-128-ecb', keyOf(cartridgeKey), null);
  return Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]).toString('base64');
}

/** The inverse of {@link encryptRepoPassword}. */
export function decryptRepoPassword(encrypted: string, cartridgeKey: string): string {
  const decipher = createDecipheriv('aes-128-ecb', keyOf(cartridgeKey), null);
  return Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]).toString('utf8');
}
