-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CpmSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "contributionId" TEXT NOT NULL,
    "groupSessionIdentity" TEXT,
    "mode" TEXT NOT NULL,
    "snapshot" TEXT NOT NULL,
    "instance" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    CONSTRAINT "CpmSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_CpmSession" ("contributionId", "conversationId", "createdAt", "endedAt", "groupSessionIdentity", "id", "mode", "snapshot", "type", "updatedAt", "userId") SELECT "contributionId", "conversationId", "createdAt", "endedAt", "groupSessionIdentity", "id", "mode", "snapshot", "type", "updatedAt", "userId" FROM "CpmSession";
DROP TABLE "CpmSession";
ALTER TABLE "new_CpmSession" RENAME TO "CpmSession";
CREATE INDEX "CpmSession_userId_createdAt_idx" ON "CpmSession"("userId", "createdAt");
CREATE INDEX "CpmSession_mode_idx" ON "CpmSession"("mode");
CREATE INDEX "CpmSession_conversationId_idx" ON "CpmSession"("conversationId");
CREATE INDEX "CpmSession_updatedAt_idx" ON "CpmSession"("updatedAt");
CREATE INDEX "CpmSession_instance_mode_idx" ON "CpmSession"("instance", "mode");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
