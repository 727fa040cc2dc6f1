-- Optional TLS per saved server. Existing servers keep connecting without TLS ('off'). The client
-- key is stored sealed (AES-256-GCM, lib/runs/server-secret.ts), never in the clear.

-- AlterTable
ALTER TABLE "Server" ADD COLUMN "tlsMode" TEXT NOT NULL DEFAULT 'off';
ALTER TABLE "Server" ADD COLUMN "tlsCa" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Server" ADD COLUMN "tlsCert" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Server" ADD COLUMN "tlsKeySealed" TEXT NOT NULL DEFAULT '';
