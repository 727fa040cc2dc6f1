import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { currentSession } from '@/lib/auth/require-session.ts';
import { hasUsers } from '@/lib/auth/users.ts';
import { signInAction } from '../_actions/auth.ts';
import { CredentialsForm } from '../_components/credentials-form.tsx';
import { PageTitle } from '../_components/ui.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage() {
  await connection();
  if (!(await hasUsers())) redirect('/setup');
  if (await currentSession()) redirect('/');
  return (
    <main className="mx-auto max-w-sm px-6 py-16">
      <PageTitle subtitle="The dashboard holds the keys to your databases.">Sign in</PageTitle>
      <CredentialsForm action={signInAction} submit="Sign in" />
    </main>
  );
}
