import { getSecretKey } from '../runs/server-secret.ts';
import { decryptSecret, encryptSecret } from '../security/secret-box.ts';

// Sealed with the same key as server passwords, under a context bound to the target, so a sealed
// value copied to another target or field does not open.
const context = (targetId: string) => `storage-target:${targetId}`;

export async function sealTargetSecret({ targetId, secret }: { targetId: string; secret: string }): Promise<string> {
  return secret === '' ? '' : encryptSecret(await getSecretKey(), secret, context(targetId));
}

/** The secret access key, for a client made in this process only. */
export async function openTargetSecret({ targetId, sealed }: { targetId: string; sealed: string }): Promise<string> {
  return sealed === '' ? '' : decryptSecret(await getSecretKey(), sealed, context(targetId));
}
