-- Backup plans (schedules, retention, alerts) and their log; runs know the plan that started them
-- and whether retention deleted them.

-- CreateTable
CREATE TABLE "Plan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "webhookSecretSealed" TEXT NOT NULL DEFAULT '',
    "smtpPasswordSealed" TEXT NOT NULL DEFAULT '',
    "lastSlotAt" DATETIME,
    "staleAlertAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Plan_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PlanLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "planId" TEXT NOT NULL,
    "runId" TEXT,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "code" TEXT,
    "message" TEXT NOT NULL,
    CONSTRAINT "PlanLog_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Plan_name_key" ON "Plan"("name");

-- CreateIndex
CREATE INDEX "PlanLog_planId_at_idx" ON "PlanLog"("planId", "at");

-- AlterTable: SQLite cannot add a foreign key with ALTER TABLE; Prisma would rebuild "Run". The
-- column is added plainly (no rebuild, no risk to child rows); the client keeps the relation.
ALTER TABLE "Run" ADD COLUMN "planId" TEXT REFERENCES "Plan" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Run" ADD COLUMN "scheduledFor" DATETIME;
ALTER TABLE "Run" ADD COLUMN "deleteState" TEXT;
ALTER TABLE "Run" ADD COLUMN "deletedAt" DATETIME;

-- CreateIndex
CREATE INDEX "Run_planId_startedAt_idx" ON "Run"("planId", "startedAt");
