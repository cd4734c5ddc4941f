-- AlterTable
ALTER TABLE "Decision" ADD COLUMN     "instance" TEXT NOT NULL DEFAULT '',
ALTER COLUMN "seq" SET DATA TYPE BIGINT;

-- CreateTable
CREATE TABLE "DecisionSlot" (
    "instance" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DecisionSlot_pkey" PRIMARY KEY ("instance")
);

-- CreateIndex
CREATE UNIQUE INDEX "DecisionSlot_slot_key" ON "DecisionSlot"("slot");

-- CreateIndex
CREATE INDEX "Decision_instance_seq_idx" ON "Decision"("instance", "seq");
