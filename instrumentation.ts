/**
 * Runs once per server process, before it serves a request: brings the store's schema up to date,
 * so that no two processes apply the same migration and no page ever reads an unmigrated store.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { migrateStoreOnStart } = await import('./lib/store/migrate-on-start.ts');
    migrateStoreOnStart();
  }
}
