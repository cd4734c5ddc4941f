-- AlterTable
ALTER TABLE "CpmSession" ADD COLUMN     "instance" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "CpmSession_instance_mode_idx" ON "CpmSession"("instance", "mode");
