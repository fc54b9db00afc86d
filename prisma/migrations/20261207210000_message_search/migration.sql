-- Full-text search over every message body. The `simple` configuration (no stemming, no stop words)
-- works for every language a driver may write in. Queries use websearch_to_tsquery('simple', …).
ALTER TABLE "Message" ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('simple', "body")) STORED;
CREATE INDEX "Message_searchVector_idx" ON "Message" USING GIN ("searchVector");
-- Results are newest first (keyset on time, then id): for a common word, walking this index from the
-- newest end and checking each row's vector finds a page long before sorting every match would.
CREATE INDEX "Message_createdAt_id_idx" ON "Message"("createdAt", "id");
