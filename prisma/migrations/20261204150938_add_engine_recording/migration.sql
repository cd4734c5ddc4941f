-- CreateTable
CREATE TABLE "EngineRecording" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fromAt" DATETIME NOT NULL,
    "toAt" DATETIME NOT NULL,
    "calls" INTEGER NOT NULL,
    "data" BLOB NOT NULL
);

-- CreateIndex
CREATE INDEX "EngineRecording_fromAt_idx" ON "EngineRecording"("fromAt");

-- CreateIndex
CREATE INDEX "EngineRecording_toAt_idx" ON "EngineRecording"("toAt");
