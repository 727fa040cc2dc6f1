-- AlterTable
ALTER TABLE "Server" ADD COLUMN "password" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Server" ADD COLUMN "sandbox" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "RunTable" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "database" TEXT NOT NULL,
    "table" TEXT NOT NULL,
    "chunkKey" TEXT NOT NULL DEFAULT '[]',
    "rowsEstimate" BIGINT NOT NULL DEFAULT 0,
    "bytesEstimate" BIGINT NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'planned',
    "skipCode" TEXT,
    "skipReason" TEXT,
    "targetDatabase" TEXT,
    "verifyChunks" INTEGER,
    "verifyOk" INTEGER,
    "verifyMismatches" TEXT,
    CONSTRAINT "RunTable_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RunChunk" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tableId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "lower" TEXT,
    "upper" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "rows" BIGINT NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "sha256" TEXT,
    "durationMs" REAL,
    "worker" INTEGER,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "RunChunk_tableId_fkey" FOREIGN KEY ("tableId") REFERENCES "RunTable" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RunLock" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "lockId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "target" TEXT,
    "statement" TEXT NOT NULL,
    "blocks" TEXT NOT NULL,
    "requestedAt" DATETIME NOT NULL,
    "acquiredAt" DATETIME,
    "releasedAt" DATETIME,
    "waitMs" REAL,
    "holdMs" REAL,
    CONSTRAINT "RunLock_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RunLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "level" TEXT NOT NULL,
    "code" TEXT,
    "message" TEXT NOT NULL,
    "database" TEXT,
    "table" TEXT,
    CONSTRAINT "RunLog_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RunSample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "rows" BIGINT NOT NULL,
    "bytes" BIGINT NOT NULL,
    CONSTRAINT "RunSample_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RunSnapshot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "snapshotId" INTEGER NOT NULL,
    "scope" TEXT NOT NULL,
    "target" TEXT,
    "openedAt" DATETIME NOT NULL,
    "binlogFile" TEXT,
    "binlogPos" BIGINT,
    "gtid" TEXT,
    CONSTRAINT "RunSnapshot_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "options" TEXT NOT NULL,
    "outDir" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "rows" BIGINT NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "serverId" TEXT,
    "databases" TEXT NOT NULL DEFAULT '[]',
    "rowsEstimate" BIGINT NOT NULL DEFAULT 0,
    "bytesEstimate" BIGINT NOT NULL DEFAULT 0,
    "chunksTotal" INTEGER NOT NULL DEFAULT 0,
    "chunksDone" INTEGER NOT NULL DEFAULT 0,
    "tablesTotal" INTEGER NOT NULL DEFAULT 0,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "sourceVersion" TEXT,
    "sourceRunId" TEXT,
    CONSTRAINT "Run_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Run_sourceRunId_fkey" FOREIGN KEY ("sourceRunId") REFERENCES "Run" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Run" ("bytes", "errorCode", "errorMessage", "finishedAt", "id", "kind", "options", "outDir", "rows", "startedAt", "status") SELECT "bytes", "errorCode", "errorMessage", "finishedAt", "id", "kind", "options", "outDir", "rows", "startedAt", "status" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE INDEX "Run_startedAt_idx" ON "Run"("startedAt");
CREATE INDEX "Run_serverId_idx" ON "Run"("serverId");
CREATE INDEX "Run_status_idx" ON "Run"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "RunTable_runId_database_table_key" ON "RunTable"("runId", "database", "table");

-- CreateIndex
CREATE UNIQUE INDEX "RunChunk_tableId_index_key" ON "RunChunk"("tableId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "RunLock_runId_attempt_lockId_key" ON "RunLock"("runId", "attempt", "lockId");

-- CreateIndex
CREATE INDEX "RunLog_runId_at_idx" ON "RunLog"("runId", "at");

-- CreateIndex
CREATE INDEX "RunSample_runId_at_idx" ON "RunSample"("runId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "RunSnapshot_runId_snapshotId_key" ON "RunSnapshot"("runId", "snapshotId");
