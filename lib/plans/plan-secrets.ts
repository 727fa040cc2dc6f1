import { decryptSecret, encryptSecret } from '../security/secret-box.ts';
import { getSecretKey } from '../runs/server-secret.ts';

// Alert secrets are sealed with the same key as server passwords, each under its own context bound
// to the plan, so a sealed value copied to another plan or field does not open.

const webhookContext = (planId: string) => `plan-webhook:${planId}`;
const smtpContext = (planId: string) => `plan-smtp:${planId}`;

async function seal(text: string | undefined, aad: string): Promise<string> {
  return text ? encryptSecret(await getSecretKey(), text, aad) : '';
}

async function unseal(sealed: string, aad: string): Promise<string> {
  return sealed === '' ? '' : decryptSecret(await getSecretKey(), sealed, aad);
}

export const sealWebhookSecret = ({ planId, secret }: { planId: string; secret: string | undefined }) => seal(secret, webhookContext(planId));
export const openWebhookSecret = ({ planId, sealed }: { planId: string; sealed: string }) => unseal(sealed, webhookContext(planId));
export const sealSmtpPassword = ({ planId, password }: { planId: string; password: string | undefined }) => seal(password, smtpContext(planId));
export const openSmtpPassword = ({ planId, sealed }: { planId: string; sealed: string }) => unseal(sealed, smtpContext(planId));
