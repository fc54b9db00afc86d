-- Field staff: when the current shift began.
ALTER TABLE "User" ADD COLUMN "shiftStartedAt" TIMESTAMP(3);
