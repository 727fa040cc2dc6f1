-- CreateEnum
CREATE TYPE "RunKind" AS ENUM ('dump', 'restore', 'pitr');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Server" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 3306,
    "user" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "passwordSealed" TEXT NOT NULL DEFAULT '',
    "sandbox" BOOLEAN NOT NULL DEFAULT false,
    "tlsMode" TEXT NOT NULL DEFAULT 'off',
    "tlsCa" TEXT NOT NULL DEFAULT '',
    "tlsCert" TEXT NOT NULL DEFAULT '',
    "tlsKeySealed" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "Server_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" TEXT NOT NULL,
    "kind" "RunKind" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "options" TEXT NOT NULL,
    "outDir" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
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
    "pitr" TEXT,
    "planId" TEXT,
    "scheduledFor" TIMESTAMP(3),
    "deleteState" TEXT,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunTable" (
    "id" TEXT NOT NULL,
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

    CONSTRAINT "RunTable_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunChunk" (
    "id" TEXT NOT NULL,
    "tableId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "lower" TEXT,
    "upper" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "rows" BIGINT NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "sha256" TEXT,
    "durationMs" DOUBLE PRECISION,
    "worker" INTEGER,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "RunChunk_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunLock" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "lockId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "target" TEXT,
    "statement" TEXT NOT NULL,
    "blocks" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "acquiredAt" TIMESTAMP(3),
    "releasedAt" TIMESTAMP(3),
    "waitMs" DOUBLE PRECISION,
    "holdMs" DOUBLE PRECISION,

    CONSTRAINT "RunLock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunLog" (
    "id" SERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "level" TEXT NOT NULL,
    "code" TEXT,
    "message" TEXT NOT NULL,
    "database" TEXT,
    "table" TEXT,

    CONSTRAINT "RunLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunSample" (
    "id" SERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "rows" BIGINT NOT NULL,
    "bytes" BIGINT NOT NULL,

    CONSTRAINT "RunSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunSnapshot" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "snapshotId" INTEGER NOT NULL,
    "scope" TEXT NOT NULL,
    "target" TEXT,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "binlogFile" TEXT,
    "binlogPos" BIGINT,
    "gtid" TEXT,

    CONSTRAINT "RunSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Plan" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "webhookSecretSealed" TEXT NOT NULL DEFAULT '',
    "smtpPasswordSealed" TEXT NOT NULL DEFAULT '',
    "lastSlotAt" TIMESTAMP(3),
    "staleAlertAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DrillPolicy" (
    "planId" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "lastSlotAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DrillPolicy_pkey" PRIMARY KEY ("planId")
);

-- CreateTable
CREATE TABLE "Drill" (
    "id" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "sourceRunId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "trigger" TEXT NOT NULL,
    "target" TEXT NOT NULL DEFAULT '{}',
    "databases" TEXT NOT NULL DEFAULT '[]',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "restoreMs" INTEGER,
    "verifyMs" INTEGER,
    "checksMs" INTEGER,
    "recoveryPoint" TIMESTAMP(3),
    "rows" BIGINT NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "chunks" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "failedChunk" TEXT,
    "checks" TEXT NOT NULL DEFAULT '[]',
    "leftovers" TEXT,

    CONSTRAINT "Drill_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlanLog" (
    "id" SERIAL NOT NULL,
    "planId" TEXT NOT NULL,
    "runId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "code" TEXT,
    "message" TEXT NOT NULL,

    CONSTRAINT "PlanLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Drill_planId_startedAt_idx" ON "Drill"("planId", "startedAt");

-- CreateIndex
CREATE INDEX "Drill_sourceRunId_status_idx" ON "Drill"("sourceRunId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Plan_name_key" ON "Plan"("name");

-- CreateIndex
CREATE INDEX "PlanLog_planId_at_idx" ON "PlanLog"("planId", "at");

-- CreateIndex
CREATE INDEX "Run_planId_startedAt_idx" ON "Run"("planId", "startedAt");

-- CreateIndex
CREATE INDEX "Run_serverId_idx" ON "Run"("serverId");

-- CreateIndex
CREATE INDEX "Run_startedAt_idx" ON "Run"("startedAt");

-- CreateIndex
CREATE INDEX "Run_status_idx" ON "Run"("status");

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

-- CreateIndex
CREATE UNIQUE INDEX "RunTable_runId_database_table_key" ON "RunTable"("runId", "database", "table");

-- CreateIndex
CREATE UNIQUE INDEX "Server_name_key" ON "Server"("name");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- AddForeignKey
ALTER TABLE "Drill" ADD CONSTRAINT "Drill_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Drill" ADD CONSTRAINT "Drill_sourceRunId_fkey" FOREIGN KEY ("sourceRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DrillPolicy" ADD CONSTRAINT "DrillPolicy_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Plan" ADD CONSTRAINT "Plan_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlanLog" ADD CONSTRAINT "PlanLog_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_sourceRunId_fkey" FOREIGN KEY ("sourceRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunChunk" ADD CONSTRAINT "RunChunk_tableId_fkey" FOREIGN KEY ("tableId") REFERENCES "RunTable"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunLock" ADD CONSTRAINT "RunLock_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunLog" ADD CONSTRAINT "RunLog_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunSample" ADD CONSTRAINT "RunSample_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunSnapshot" ADD CONSTRAINT "RunSnapshot_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunTable" ADD CONSTRAINT "RunTable_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
