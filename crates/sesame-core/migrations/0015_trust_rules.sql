-- Trust rules: which CI jobs may trade the OIDC token their platform gives them for a
-- short-lived key of a service account. A rule goes with its account; its conditions (claim
-- name → exact value) go with the rule.
CREATE TABLE trust_rules (
    id                  TEXT PRIMARY KEY,
    service_account_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider            TEXT NOT NULL,
    issuer              TEXT NOT NULL,
    audience            TEXT NOT NULL,
    -- What the keys it mints may do, stored as a key's own columns are.
    scopes              TEXT,
    allowed_addresses   TEXT,
    rate_limit          TEXT,
    lifetime_seconds    BIGINT NOT NULL,
    created_at          BIGINT NOT NULL
);
-- The exchange looks rules up by the token's issuer; a page lists an account's.
CREATE INDEX trust_rules_issuer ON trust_rules (issuer);
CREATE INDEX trust_rules_account ON trust_rules (service_account_id, created_at);

CREATE TABLE trust_rule_conditions (
    rule_id  TEXT NOT NULL REFERENCES trust_rules(id) ON DELETE CASCADE,
    claim    TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (rule_id, claim)
);

-- A minted key remembers the rule and the token's subject it was minted for: the console
-- says so, and changing or deleting the rule ends the keys it minted.
ALTER TABLE api_keys ADD COLUMN minted_by_rule TEXT;
ALTER TABLE api_keys ADD COLUMN minted_for TEXT;
CREATE INDEX api_keys_minted_by_rule ON api_keys (minted_by_rule);

-- Each token's `jti` is accepted once, on whichever node: kept until well past the token's
-- expiry (its leeway and the clocks' difference), then forgotten by the housekeeping.
CREATE TABLE oidc_token_uses (
    issuer      TEXT NOT NULL,
    jti         TEXT NOT NULL,
    kept_until  BIGINT NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX oidc_token_uses_kept_until ON oidc_token_uses (kept_until);
