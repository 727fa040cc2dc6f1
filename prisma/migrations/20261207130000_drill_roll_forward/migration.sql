-- Restore drills: the roll forward's outcome, and a heartbeat and a cancel request so a drill is
-- cancelled, and found interrupted, from any process over the store (lib/drills).
ALTER TABLE "Drill" ADD COLUMN "rollForward" TEXT;
ALTER TABLE "Drill" ADD COLUMN "heartbeatAt" DATETIME;
ALTER TABLE "Drill" ADD COLUMN "cancelAskedAt" DATETIME;
