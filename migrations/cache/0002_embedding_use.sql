-- When each cached vector was last written or read (microseconds since the
-- Unix epoch), so that the cache can drop the vectors no text has needed for
-- the longest time once it holds far more than the vector store
-- (EmbeddingCache.prune).  Vectors cached before this migration count as
-- never used since.
ALTER TABLE embeddings ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
