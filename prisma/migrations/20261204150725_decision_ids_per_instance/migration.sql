/*
  Warnings:

  - You are about to alter the column `seq` on the `Decision` table. The data in that column could be lost. The data in that column will be cast from `Int` to `BigInt`.

*/
-- CreateTable
CREATE TABLE "DecisionSlot" (
    "instance" TEXT NOT NULL PRIMARY KEY,
    "slot" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Decision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "seq" BIGINT NOT NULL,
    "instance" TEXT NOT NULL DEFAULT '',
    "at" DATETIME NOT NULL,
    "userId" TEXT,
    "procedure" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "messageId" TEXT,
    "disposition" TEXT,
    "callId" TEXT,
    "sessionId" TEXT,
    "inputs" TEXT NOT NULL,
    CONSTRAINT "Decision_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Decision" ("at", "branch", "callId", "disposition", "id", "inputs", "messageId", "outcome", "procedure", "seq", "sessionId", "summary", "userId") SELECT "at", "branch", "callId", "disposition", "id", "inputs", "messageId", "outcome", "procedure", "seq", "sessionId", "summary", "userId" FROM "Decision";
DROP TABLE "Decision";
ALTER TABLE "new_Decision" RENAME TO "Decision";
CREATE UNIQUE INDEX "Decision_seq_key" ON "Decision"("seq");
CREATE INDEX "Decision_userId_at_idx" ON "Decision"("userId", "at");
CREATE INDEX "Decision_messageId_idx" ON "Decision"("messageId");
CREATE INDEX "Decision_at_idx" ON "Decision"("at");
CREATE INDEX "Decision_callId_idx" ON "Decision"("callId");
CREATE INDEX "Decision_sessionId_at_idx" ON "Decision"("sessionId", "at");
CREATE INDEX "Decision_instance_seq_idx" ON "Decision"("instance", "seq");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "DecisionSlot_slot_key" ON "DecisionSlot"("slot");
