import { z } from 'zod';
import { hashPassword, verifyPassword } from '../security/password-hash.ts';
import { getPrisma } from '../store/prisma.ts';

export const Credentials = z.object({
  username: z
    .string()
    .trim()
    .min(1, { error: 'Enter a user name' })
    .max(64, { error: 'At most 64 characters' })
    .regex(/^[\p{L}\p{N}._@-]+$/u, { error: 'Letters, digits, dots, dashes, underscores and @ only' }),
  password: z.string().min(1, { error: 'Enter the password' }).max(1024, { error: 'At most 1,024 characters' }),
});
export type Credentials = z.infer<typeof Credentials>;

/** A new account's password: long enough to be worth hashing. */
export const NewCredentials = Credentials.extend({
  password: z.string().min(12, { error: 'At least 12 characters' }).max(1024, { error: 'At most 1,024 characters' }),
});

export async function hasUsers(): Promise<boolean> {
  return (await getPrisma().user.count()) > 0;
}

/** Creates the first account; refuses once any account exists (the setup page is for first start only). */
export async function createFirstAdmin(input: Credentials): Promise<{ id: string; username: string } | null> {
  const passwordHash = await hashPassword(input.password);
  const prisma = getPrisma();
  return prisma.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) return null;
    return tx.user.create({ data: { username: input.username, passwordHash }, select: { id: true, username: true } });
  });
}

/** PARADUMP_ADMIN_USER + PARADUMP_ADMIN_PASSWORD create the admin at start when there is no account yet. */
export async function createAdminFromEnv(env: Record<string, string | undefined> = process.env): Promise<{ username: string } | null> {
  const username = env['PARADUMP_ADMIN_USER'];
  const password = env['PARADUMP_ADMIN_PASSWORD'];
  if (!username || !password) return null;
  if (await hasUsers()) return null;
  const input = NewCredentials.safeParse({ username, password });
  if (!input.success) {
    console.error(`paradump: PARADUMP_ADMIN_USER/PASSWORD not used: ${input.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`);
    return null;
  }
  return createFirstAdmin(input.data);
}

// Compared against when the user does not exist, so a wrong name takes as long as a wrong password.
const globalForDummy = globalThis as typeof globalThis & { paradumpDummyHash?: Promise<string> };

/** The account's id if the password is right, else null. */
export async function checkCredentials(input: Credentials): Promise<{ id: string; username: string } | null> {
  const user = await getPrisma().user.findUnique({ where: { username: input.username } });
  if (!user) {
    globalForDummy.paradumpDummyHash ??= hashPassword('paradump dummy password');
    await verifyPassword(input.password, await globalForDummy.paradumpDummyHash);
    return null;
  }
  return (await verifyPassword(input.password, user.passwordHash)) ? { id: user.id, username: user.username } : null;
}
