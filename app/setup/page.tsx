import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { hasUsers } from '@/lib/auth/users.ts';
import { setupAction } from '../_actions/auth.ts';
import { CredentialsForm } from '../_components/credentials-form.tsx';
import { PageTitle } from '../_components/ui.tsx';

export const metadata: Metadata = { title: 'Create the admin account' };

export default async function SetupPage() {
  await connection();
  // First start only: once an account exists this page is closed.
  if (await hasUsers()) redirect('/signin');
  return (
    <main className="mx-auto max-w-sm px-6 py-16">
      <PageTitle subtitle="First start: choose the admin's user name and a password of at least 12 characters.">Create the admin account</PageTitle>
      <CredentialsForm action={setupAction} submit="Create account" confirm />
    </main>
  );
}
