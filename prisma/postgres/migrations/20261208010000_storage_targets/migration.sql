-- Saved storage targets and the copies of backups made to them (lib/targets).
ALTER TABLE "Run" ADD COLUMN "copyState" TEXT;

-- CreateTable
CREATE TABLE "StorageTarget" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL DEFAULT '',
    "region" TEXT NOT NULL DEFAULT '',
    "accessKeyId" TEXT NOT NULL DEFAULT '',
    "secretAccessKeySealed" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StorageTarget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunCopy" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "targetId" TEXT,
    "targetName" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "location" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "written" BOOLEAN NOT NULL DEFAULT false,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verifiedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "RunCopy_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "StorageTarget_name_key" ON "StorageTarget"("name");

-- CreateIndex
CREATE INDEX "RunCopy_runId_idx" ON "RunCopy"("runId");

-- CreateIndex
CREATE INDEX "RunCopy_targetId_idx" ON "RunCopy"("targetId");

-- AddForeignKey
ALTER TABLE "RunCopy" ADD CONSTRAINT "RunCopy_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunCopy" ADD CONSTRAINT "RunCopy_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "StorageTarget"("id") ON DELETE SET NULL ON UPDATE CASCADE;
