-- What each listener keeps: favourites, playlists and the saved play
-- queue. Users are the gateway's accounts; the catalog only knows their id
-- (the `x-tonearm-user` header), so `user_id` is text without a foreign key.
-- Everything that names a song, album or artist goes with it when it leaves
-- the catalog (ON DELETE CASCADE).

CREATE TABLE favourite_songs (
    user_id    text NOT NULL,
    song_id    uuid NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
    starred_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, song_id)
);
CREATE INDEX favourite_songs_song ON favourite_songs (song_id);

CREATE TABLE favourite_albums (
    user_id    text NOT NULL,
    album_id   uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    starred_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, album_id)
);
CREATE INDEX favourite_albums_album ON favourite_albums (album_id);

CREATE TABLE favourite_artists (
    user_id    text NOT NULL,
    artist_id  uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    starred_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, artist_id)
);
CREATE INDEX favourite_artists_artist ON favourite_artists (artist_id);

CREATE TABLE playlists (
    id         uuid PRIMARY KEY,
    owner      text NOT NULL,
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    comment    text CHECK (char_length(comment) <= 2000),
    public     boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playlists_owner ON playlists (owner);
CREATE INDEX playlists_public ON playlists (public) WHERE public;

-- A song may appear more than once; `position` orders the entries (gaps
-- left by removed songs do not matter).
CREATE TABLE playlist_songs (
    playlist_id uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    song_id     uuid NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
    PRIMARY KEY (playlist_id, position)
);
CREATE INDEX playlist_songs_song ON playlist_songs (song_id);

-- One saved queue per user. When the current song leaves the catalog the
-- queue keeps its other songs and has no current one.
CREATE TABLE play_queues (
    user_id      text PRIMARY KEY,
    current_song uuid REFERENCES songs (id) ON DELETE SET NULL,
    position_ms  bigint NOT NULL DEFAULT 0 CHECK (position_ms >= 0),
    changed_at   timestamptz NOT NULL DEFAULT now(),
    changed_by   text
);

CREATE TABLE play_queue_songs (
    user_id  text NOT NULL REFERENCES play_queues (user_id) ON DELETE CASCADE,
    position integer NOT NULL,
    song_id  uuid NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, position)
);
CREATE INDEX play_queue_songs_song ON play_queue_songs (song_id);
