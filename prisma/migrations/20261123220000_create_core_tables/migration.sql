-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "aor" TEXT NOT NULL,
    "displayName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Registration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "contact" TEXT NOT NULL,
    "instance" TEXT,
    "featureTags" TEXT NOT NULL DEFAULT '',
    "userAgent" TEXT,
    "sourceAddr" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Registration_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Decision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "userId" TEXT,
    "procedure" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "messageId" TEXT,
    "disposition" TEXT,
    "callId" TEXT,
    "inputs" TEXT NOT NULL,
    CONSTRAINT "Decision_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "User_aor_key" ON "User"("aor");

-- CreateIndex
CREATE INDEX "Registration_expiresAt_idx" ON "Registration"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Registration_userId_contact_key" ON "Registration"("userId", "contact");

-- CreateIndex
CREATE UNIQUE INDEX "Decision_seq_key" ON "Decision"("seq");

-- CreateIndex
CREATE INDEX "Decision_userId_at_idx" ON "Decision"("userId", "at");

-- CreateIndex
CREATE INDEX "Decision_messageId_idx" ON "Decision"("messageId");

-- CreateIndex
CREATE INDEX "Decision_at_idx" ON "Decision"("at");
