-- AlterTable
ALTER TABLE "Decision" ADD COLUMN "sessionId" TEXT;

-- CreateIndex
CREATE INDEX "Decision_sessionId_at_idx" ON "Decision"("sessionId", "at");
