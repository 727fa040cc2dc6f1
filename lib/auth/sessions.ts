import { createHash, randomBytes } from 'node:crypto';
import { getPrisma } from '../store/prisma.ts';

export const SESSION_COOKIE = 'paradump_session';
export const SESSION_DAYS = 14;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new session: the random token goes in the cookie, only its sha256 is stored. */
export async function createSession({ userId, now = new Date() }: { userId: string; now?: Date }): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  const prisma = getPrisma();
  await prisma.session.deleteMany({ where: { expiresAt: { lt: now } } });
  await prisma.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

export interface SignedIn {
  userId: string;
  username: string;
}

/** The session a cookie's token names, if it exists and has not expired. */
export async function findSession({ token, now = new Date() }: { token: string | undefined; now?: Date }): Promise<SignedIn | null> {
  if (!token || token.length > 200) return null;
  const row = await getPrisma().session.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: { select: { username: true } } } });
  if (!row || row.expiresAt <= now) return null;
  return { userId: row.userId, username: row.user.username };
}

export async function deleteSession({ token }: { token: string | undefined }): Promise<void> {
  if (!token) return;
  await getPrisma().session.deleteMany({ where: { tokenHash: hashToken(token) } });
}
