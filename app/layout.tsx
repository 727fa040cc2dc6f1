import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { currentSession } from '@/lib/auth/require-session.ts';
import { signOutAction } from './_actions/auth.ts';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'paradump', template: '%s · paradump' },
  description: 'Parallel, chunked, consistent dumps and restores for MySQL and MariaDB.',
};

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/backups/new', label: 'New backup' },
  { href: '/plans', label: 'Plans' },
  { href: '/servers', label: 'Servers' },
  { href: '/targets', label: 'Targets' },
  { href: '/workers', label: 'Workers' },
];

export default async function RootLayout({ children }: Readonly<{ children: ReactNode }>) {
  const session = await currentSession();
  return (
    <html lang="en">
      <body className="min-h-screen bg-white text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <header className="border-b border-zinc-200 dark:border-zinc-800">
          <nav aria-label="Main" className="mx-auto flex max-w-6xl items-center gap-6 px-6 py-3 text-sm">
            <Link href="/" className="font-semibold tracking-tight">
              paradump
            </Link>
            {session ? (
              <>
                <ul className="flex gap-4">
                  {NAV.map((item) => (
                    <li key={item.href}>
                      <Link href={item.href} className="text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
                        {item.label}
                      </Link>
                    </li>
                  ))}
                </ul>
                <form action={signOutAction} className="ml-auto flex items-center gap-3">
                  <span className="text-zinc-500">{session.username}</span>
                  <button type="submit" className="text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
                    Sign out
                  </button>
                </form>
              </>
            ) : null}
          </nav>
        </header>
        {children}
      </body>
    </html>
  );
}
