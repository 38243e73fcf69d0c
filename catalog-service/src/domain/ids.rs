//! Stable, opaque ids: UUID v5 of what identifies a song, album or artist,
//! so an id survives rescans while the thing it names stays the same.

use std::path::Path;

use uuid::Uuid;

/// The namespace of every Tonearm catalog id.
const NAMESPACE: Uuid = Uuid::from_u128(0x6d1f_3c2a_9b4e_4f0a_8c7d_2e5b_1a90_c3f4);

/// The id of a local file: UUID v5 of `local:<absolute path>`.
pub fn local_song_id(path: &Path) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("local:{}", path.display()).as_bytes())
}

/// The id of an Internet song: UUID v5 of `remote:<url>`.
pub fn remote_song_id(url: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("remote:{url}").as_bytes())
}

/// The id of an Internet source: UUID v5 of `source:<url>`.
pub fn source_id(url: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("source:{url}").as_bytes())
}

/// The id of an artist, from its normalised name.
pub fn artist_id(name: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("artist:{}", normalise(name)).as_bytes())
}

/// The id of an album, from its normalised artist and title.
pub fn album_id(album_artist: &str, title: &str) -> Uuid {
    let key = format!("album:{}\u{1f}{}", normalise(album_artist), normalise(title));
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

/// Lower case with whitespace runs collapsed, so "The  Band" and "the band"
/// are one artist.
pub fn normalise(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_normalised() {
        assert_eq!(
            local_song_id(Path::new("/m/a.mp3")),
            local_song_id(Path::new("/m/a.mp3"))
        );
        assert_ne!(
            local_song_id(Path::new("/m/a.mp3")),
            local_song_id(Path::new("/m/b.mp3"))
        );
        assert_eq!(artist_id("The  Band"), artist_id("the band"));
        assert_ne!(album_id("A", "X"), album_id("B", "X"));
    }
}
