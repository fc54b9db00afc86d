-- Full-text search over every message body. The `simple` configuration (no stemming, no stop words)
-- works for every language a driver may write in. Queries use websearch_to_tsquery('simple', …).
ALTER TABLE "Message" ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('simple', "body")) STORED;
CREATE INDEX "Message_searchVector_idx" ON "Message" USING GIN ("searchVector");
