-- Emergencies the driver called off as a false alarm (within the cancel window).
ALTER TABLE "Conversation" ADD COLUMN "emergencyCancelledAt" TIMESTAMP(3);
