-- Restore drills: a plan's drill policy and the record of each drill (lib/drills).

-- CreateTable
CREATE TABLE "DrillPolicy" (
    "planId" TEXT NOT NULL PRIMARY KEY,
    "settings" TEXT NOT NULL,
    "lastSlotAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "DrillPolicy_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Drill" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "planId" TEXT NOT NULL,
    "sourceRunId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "trigger" TEXT NOT NULL,
    "target" TEXT NOT NULL DEFAULT '{}',
    "databases" TEXT NOT NULL DEFAULT '[]',
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "restoreMs" INTEGER,
    "verifyMs" INTEGER,
    "checksMs" INTEGER,
    "recoveryPoint" DATETIME,
    "rows" BIGINT NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "chunks" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "failedChunk" TEXT,
    "checks" TEXT NOT NULL DEFAULT '[]',
    "leftovers" TEXT,
    CONSTRAINT "Drill_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Drill_sourceRunId_fkey" FOREIGN KEY ("sourceRunId") REFERENCES "Run" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Drill_planId_startedAt_idx" ON "Drill"("planId", "startedAt");

-- CreateIndex
CREATE INDEX "Drill_sourceRunId_status_idx" ON "Drill"("sourceRunId", "status");
