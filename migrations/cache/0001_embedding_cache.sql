-- The embedding cache: vectors keyed by (model, text hash), so unchanged text
-- is never embedded twice, even after a forced rebuild of the index.
-- It lives in its own database file beside the index (embeddings.sqlite).

-- One row per model identity; the identity covers everything that changes
-- the vectors (model path or name, backend, precision, sequence limit).
CREATE TABLE embedding_models (
    embedding_model_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    dim INTEGER NOT NULL
);

-- text_key is blake2b(text, digest_size=16); vector is dim float32 values,
-- little-endian, stored exactly.
CREATE TABLE embeddings (
    embedding_model_id INTEGER NOT NULL REFERENCES embedding_models (embedding_model_id)
        ON DELETE CASCADE,
    text_key BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (embedding_model_id, text_key)
) WITHOUT ROWID;
