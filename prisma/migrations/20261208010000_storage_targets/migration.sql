-- Saved storage targets and the copies of backups made to them (lib/targets).
ALTER TABLE "Run" ADD COLUMN "copyState" TEXT;

-- CreateTable
CREATE TABLE "StorageTarget" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL DEFAULT '',
    "region" TEXT NOT NULL DEFAULT '',
    "accessKeyId" TEXT NOT NULL DEFAULT '',
    "secretAccessKeySealed" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RunCopy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "targetId" TEXT,
    "targetName" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "location" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "written" BOOLEAN NOT NULL DEFAULT false,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verifiedAt" DATETIME,
    "deletedAt" DATETIME,
    CONSTRAINT "RunCopy_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RunCopy_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "StorageTarget" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "StorageTarget_name_key" ON "StorageTarget"("name");

-- CreateIndex
CREATE INDEX "RunCopy_runId_idx" ON "RunCopy"("runId");

-- CreateIndex
CREATE INDEX "RunCopy_targetId_idx" ON "RunCopy"("targetId");
