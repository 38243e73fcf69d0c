-- The catalog: songs from every repository, grouped into albums and artists.
-- Extensions live in the public schema and are shared by every schema of
-- the database; sqlx holds a database-wide advisory lock while migrating,
-- so two services (or tests) never race on their creation.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- unaccent() is only STABLE (its dictionary could change); naming the
-- dictionary makes this wrapper safe to use in indexes and generated columns.
CREATE FUNCTION search_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

CREATE TABLE artists (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    search_text text GENERATED ALWAYS AS (search_fold(name)) STORED,
    added_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artists_search_trgm ON artists USING gin (search_text gin_trgm_ops);
CREATE INDEX artists_name ON artists (search_text, id);

CREATE TABLE albums (
    id          uuid PRIMARY KEY,
    title       text NOT NULL,
    artist      text NOT NULL,
    artist_id   uuid NOT NULL,
    year        integer,
    search_text text GENERATED ALWAYS AS (search_fold(title || ' ' || artist)) STORED,
    added_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX albums_search_trgm ON albums USING gin (search_text gin_trgm_ops);
CREATE INDEX albums_title ON albums (search_fold(title), id);

-- Internet sources an admin added: a direct audio URL, a playlist or a feed.
CREATE TABLE sources (
    id              uuid PRIMARY KEY,
    url             text NOT NULL UNIQUE,
    kind            text NOT NULL CHECK (kind IN ('audio', 'playlist', 'feed')),
    title           text,
    image_url       text,
    etag            text,
    last_modified   text,
    last_refresh_at timestamptz,
    last_error      text,
    last_error_at   timestamptz,
    song_count      integer NOT NULL DEFAULT 0,
    added_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE songs (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('local', 'remote')),
    source_id     uuid REFERENCES sources (id) ON DELETE CASCADE,
    path          text UNIQUE,
    url           text,
    file_name     text NOT NULL,
    content_type  text,
    size_bytes    bigint,
    modified_at   timestamptz,
    title         text NOT NULL,
    artist        text NOT NULL,
    artists       text[] NOT NULL DEFAULT '{}',
    artist_ids    uuid[] NOT NULL DEFAULT '{}',
    album         text NOT NULL,
    album_id      uuid NOT NULL,
    album_artist  text NOT NULL,
    track_number  integer,
    track_total   integer,
    disc_number   integer,
    disc_total    integer,
    year          integer,
    date          text,
    genres        text[] NOT NULL DEFAULT '{}',
    duration_ms   bigint,
    bitrate_kbps  integer,
    sample_rate   integer,
    channels      integer,
    codec         text,
    embedded_cover boolean NOT NULL DEFAULT false,
    folder_cover  text,
    image_url     text,
    description   text,
    published_at  timestamptz,
    missing       boolean NOT NULL DEFAULT false,
    added_at      timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- Sort keys are never NULL so keyset pagination compares plain rows.
    title_sort    text GENERATED ALWAYS AS (search_fold(title)) STORED,
    artist_sort   text GENERATED ALWAYS AS (search_fold(artist)) STORED,
    album_sort    text GENERATED ALWAYS AS (search_fold(album)) STORED,
    year_sort     integer GENERATED ALWAYS AS (coalesce(year, 0)) STORED,
    duration_sort bigint GENERATED ALWAYS AS (coalesce(duration_ms, 0)) STORED,
    search_text   text GENERATED ALWAYS AS (search_fold(title || ' ' || artist || ' ' || album)) STORED,
    search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, search_fold(title || ' ' || artist || ' ' || album))
    ) STORED,
    CHECK ((kind = 'local' AND path IS NOT NULL) OR (kind = 'remote' AND url IS NOT NULL))
);
CREATE INDEX songs_title ON songs (title_sort, id);
CREATE INDEX songs_artist ON songs (artist_sort, id);
CREATE INDEX songs_album ON songs (album_sort, id);
CREATE INDEX songs_year ON songs (year_sort, id);
CREATE INDEX songs_added ON songs (added_at, id);
CREATE INDEX songs_duration ON songs (duration_sort, id);
CREATE INDEX songs_album_id ON songs (album_id);
CREATE INDEX songs_artist_ids ON songs USING gin (artist_ids);
CREATE INDEX songs_genres ON songs USING gin (genres);
CREATE INDEX songs_source ON songs (source_id);
CREATE INDEX songs_search_trgm ON songs USING gin (search_text gin_trgm_ops);
CREATE INDEX songs_search_fts ON songs USING gin (search_vector);

-- Files or folders a scan could not read; replaced at every full scan.
CREATE TABLE scan_errors (
    id          bigserial PRIMARY KEY,
    path        text NOT NULL,
    kind        text NOT NULL,
    message     text NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scan_errors_path ON scan_errors (path);

-- Finished and running scans, for progress and history.
CREATE TABLE scans (
    id          uuid PRIMARY KEY,
    trigger     text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    seen        bigint NOT NULL DEFAULT 0,
    done        bigint NOT NULL DEFAULT 0,
    skipped     bigint NOT NULL DEFAULT 0,
    failed      bigint NOT NULL DEFAULT 0,
    removed     bigint NOT NULL DEFAULT 0,
    state       text NOT NULL
);

-- Last.fm answers, kept for a TTL.
CREATE TABLE lastfm_cache (
    key        text PRIMARY KEY,
    body       jsonb NOT NULL,
    fetched_at timestamptz NOT NULL DEFAULT now()
);

-- The read-only contract with stream-service.
CREATE VIEW song_sources AS
SELECT id AS song_id,
       kind,
       path,
       url,
       file_name,
       content_type,
       size_bytes,
       modified_at,
       duration_ms
FROM songs;
