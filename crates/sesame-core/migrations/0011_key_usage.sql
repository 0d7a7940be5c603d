-- Requests made with each key, per hour (Unix milliseconds of the hour's start) and by
-- outcome: accepted, refused for a permission its scopes lack, refused for the address it
-- came from, or over a rate limit. Counted in memory and added here in batches with the
-- last use; hours older than 90 days are purged.
CREATE TABLE api_key_usage (
    key_id              TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    hour                BIGINT NOT NULL,
    accepted            BIGINT NOT NULL DEFAULT 0,
    out_of_scope        BIGINT NOT NULL DEFAULT 0,
    address_not_allowed BIGINT NOT NULL DEFAULT 0,
    throttled           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, hour)
);
-- The purge deletes by hour alone.
CREATE INDEX api_key_usage_by_hour ON api_key_usage (hour);
