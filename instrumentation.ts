/**
 * Runs once per server process, before it serves a request: brings the store's schema up to date,
 * so that no two processes apply the same migration and no page ever reads an unmigrated store,
 * seals passwords saved before encryption at rest, creates the admin from PARADUMP_ADMIN_USER /
 * PARADUMP_ADMIN_PASSWORD when there is no account yet, then marks runs the previous process left
 * running as interrupted (their engine died with it), and starts the backup plan and restore drill
 * schedulers.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { migrateStoreOnStart } = await import('./lib/store/migrate-on-start.ts');
    await migrateStoreOnStart();
    const { sealLegacyPasswords } = await import('./lib/runs/server-secret.ts');
    const sealed = await sealLegacyPasswords();
    if (sealed > 0) console.log(`paradump: encrypted ${sealed} saved server password(s) at rest`);
    const { createAdminFromEnv } = await import('./lib/auth/users.ts');
    const admin = await createAdminFromEnv();
    if (admin) console.log(`paradump: created the admin account "${admin.username}" from PARADUMP_ADMIN_USER`);
    // PARADUMP_REDIS_URL: runs go to BullMQ for `paradump worker` processes (docs/scale.md).
    const { installRunExecutor } = await import('./lib/workers/install.ts');
    if (installRunExecutor()) console.log('paradump: runs go to the queue (PARADUMP_REDIS_URL); `paradump worker` processes run them');
    const { markInterruptedRuns } = await import('./lib/runs/control-run.ts');
    const interrupted = await markInterruptedRuns();
    if (interrupted.length > 0) console.log(`paradump: ${interrupted.length} run(s) were interrupted by the last shutdown; they can be resumed`);
    // After runs are marked interrupted: the scheduler resumes its plans' ones. PARADUMP_SCHEDULER=off
    // leaves scheduling to a separate `paradump scheduler` process.
    if (process.env.PARADUMP_SCHEDULER !== 'off') {
      const { startPlanService } = await import('./lib/plans/plan-service.ts');
      await startPlanService();
      console.log('paradump: backup plan scheduler started');
      const { startDrillService } = await import('./lib/drills/drill-service.ts');
      await startDrillService();
      console.log('paradump: restore drill scheduler started');
    }
  }
}
