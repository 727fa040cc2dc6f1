-- A restore run's point-in-time step: the roll forward's progress and outcome as JSON
-- (lib/runs/schemas.ts PitrView); NULL for runs without one.

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "pitr" TEXT;
