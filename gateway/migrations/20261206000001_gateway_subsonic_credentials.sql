-- Credentials for Subsonic apps. API keys are stored as the SHA-256 of
-- the key (the key itself is shown once); an app password, needed by
-- older apps' token authentication (md5(password + salt)), must be
-- readable by the gateway, so it is stored encrypted with
-- TONEARM_SECRET_KEY (AES-256-GCM, the user id as associated data).
CREATE TABLE gateway_api_keys (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES gateway_users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    key_hash     bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);

CREATE INDEX gateway_api_keys_user ON gateway_api_keys (user_id);

CREATE TABLE gateway_app_passwords (
    user_id    uuid PRIMARY KEY REFERENCES gateway_users (id) ON DELETE CASCADE,
    nonce      bytea NOT NULL,
    ciphertext bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
