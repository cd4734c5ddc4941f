-- CreateTable
CREATE TABLE "EngineRecording" (
    "id" TEXT NOT NULL,
    "fromAt" TIMESTAMP(3) NOT NULL,
    "toAt" TIMESTAMP(3) NOT NULL,
    "calls" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "EngineRecording_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EngineRecording_fromAt_idx" ON "EngineRecording"("fromAt");

-- CreateIndex
CREATE INDEX "EngineRecording_toAt_idx" ON "EngineRecording"("toAt");
