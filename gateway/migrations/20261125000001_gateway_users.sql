-- Accounts of people who sign in to Tonearm. Gateway tables carry the
-- gateway_ prefix because they share a schema with the catalog's.
CREATE TABLE gateway_users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'listener')),
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX gateway_users_username_key ON gateway_users (username);
