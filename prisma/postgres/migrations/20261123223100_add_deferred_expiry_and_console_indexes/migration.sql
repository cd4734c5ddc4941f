-- AlterTable
ALTER TABLE "DeferredItem" ADD COLUMN     "expiredAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "CpmSession_conversationId_idx" ON "CpmSession"("conversationId");

-- CreateIndex
CREATE INDEX "CpmSession_updatedAt_idx" ON "CpmSession"("updatedAt");

-- CreateIndex
CREATE INDEX "Decision_callId_idx" ON "Decision"("callId");

-- CreateIndex
CREATE INDEX "DeferredItem_deliveredAt_idx" ON "DeferredItem"("deliveredAt");

-- CreateIndex
CREATE INDEX "DeferredItem_expiredAt_idx" ON "DeferredItem"("expiredAt");

-- CreateIndex
CREATE INDEX "StoredObject_userId_imdnMessageId_idx" ON "StoredObject"("userId", "imdnMessageId");
