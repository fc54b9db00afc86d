-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "emergencyEscalatedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Conversation_category_emergencyAckAt_emergencyEscalatedAt_idx" ON "Conversation"("category", "emergencyAckAt", "emergencyEscalatedAt");

