-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "previousPublicSequence" INTEGER NOT NULL DEFAULT 0;

-- Backfill: for each stored message, the highest earlier sequence of a message that is not a note.
UPDATE "Message" AS m
SET "previousPublicSequence" = COALESCE((
  SELECT MAX(p."sequence") FROM "Message" AS p
  WHERE p."conversationId" = m."conversationId" AND p."sequence" < m."sequence" AND p."kind" <> 'NOTE'
), 0);
