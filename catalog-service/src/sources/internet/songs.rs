//! Turning what a source URL answered into songs.

use std::io::Cursor;

use lofty::{config::ParseOptions, file::FileType, prelude::*, probe::Probe};
use url::Url;
use uuid::Uuid;

use super::{error::SourceError, feed, playlist, probe::Fetched};
use crate::{
    domain::{NewSong, SongKind, ids},
    sources::local::tags::{apply_tag, content_type, title_from_file_name},
};

/// What one fetch of a source gives.
pub struct Imported {
    /// `audio`, `playlist` or `feed`.
    pub kind: &'static str,
    pub title: Option<String>,
    pub image_url: Option<String>,
    pub songs: Vec<NewSong>,
    /// Songs no longer listed are removed (playlists); feeds keep old episodes.
    pub replace: bool,
}

/// Songs of a fetched source; `None` for a 304.
pub fn import(fetched: Fetched, url: &Url, source: Uuid) -> Result<Option<Imported>, SourceError> {
    Ok(Some(match fetched {
        Fetched::NotModified => return Ok(None),
        Fetched::Audio {
            head,
            complete,
            content_type,
            length,
        } => {
            let song = audio_song(&head, complete, content_type, length, url, source);
            Imported {
                kind: "audio",
                title: Some(song.title.clone()),
                image_url: None,
                songs: vec![song],
                replace: true,
            }
        }
        Fetched::Playlist(text) => {
            let name = file_name(url);
            let songs = playlist::parse(&text, url)
                .into_iter()
                .map(|entry| playlist_song(entry, &name, source))
                .collect();
            Imported {
                kind: "playlist",
                title: Some(name),
                image_url: None,
                songs,
                replace: true,
            }
        }
        Fetched::Feed(bytes) => {
            let show = feed::parse(&bytes, url).map_err(SourceError::InvalidFeed)?;
            let songs = show
                .episodes
                .iter()
                .map(|episode| episode_song(episode, &show, source))
                .collect();
            Imported {
                kind: "feed",
                title: Some(show.title),
                image_url: show.image_url,
                songs,
                replace: false,
            }
        }
    }))
}

fn base_song(url: &Url, source: Uuid) -> NewSong {
    NewSong {
        id: ids::remote_song_id(url.as_str()),
        kind: SongKind::Remote,
        source_id: Some(source),
        url: Some(url.to_string()),
        file_name: file_name(url),
        ..NewSong::default()
    }
}

/// The last path segment, decoded ("ep%201.mp3" -> "ep 1.mp3").
fn file_name(url: &Url) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or("");
    let decoded = percent_decode(segment);
    if decoded.is_empty() {
        url.host_str().unwrap_or("stream").to_owned()
    } else {
        decoded
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

fn audio_song(
    head: &[u8],
    complete: bool,
    kind: Option<String>,
    length: Option<u64>,
    url: &Url,
    source: Uuid,
) -> NewSong {
    let mut song = base_song(url, source);
    song.size_bytes = length.and_then(|n| i64::try_from(n).ok());
    song.content_type = kind;
    song.title = title_from_file_name(std::path::Path::new(&song.file_name));
    song.set_credits(Vec::new(), None, None);
    crate::sources::local::tags::limit_allocations();
    let tagged = Probe::new(Cursor::new(head))
        .guess_file_type()
        .ok()
        .and_then(|probe| {
            probe
                .options(ParseOptions::new().read_cover_art(false))
                .read()
                .ok()
        });
    let Some(tagged) = tagged else { return song };
    if let Some(tag) = tagged.primary_tag().or_else(|| tagged.first_tag()) {
        apply_tag(&mut song, tag);
        if let Some(title) = tag.title().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
            song.title = title;
        }
    }
    let properties = tagged.properties();
    // Only a whole file (or FLAC's stream header) gives a reliable length.
    if complete || tagged.file_type() == FileType::Flac {
        song.duration_ms = Some(properties.duration().as_millis() as i64).filter(|ms| *ms > 0);
    }
    song.sample_rate = properties.sample_rate().map(|rate| rate as i32);
    song.channels = properties.channels().map(i32::from);
    song.bitrate_kbps = properties.audio_bitrate().map(|rate| rate as i32);
    if song.content_type.is_none() {
        song.content_type = Some(content_type(tagged.file_type()).to_owned());
    }
    song
}

fn playlist_song(entry: playlist::Entry, playlist: &str, source: Uuid) -> NewSong {
    let mut song = base_song(&entry.url, source);
    let (artist, title) = match entry.title.as_deref().and_then(|t| t.split_once(" - ")) {
        Some((artist, title)) => (vec![artist.to_owned()], title.to_owned()),
        None => (
            Vec::new(),
            entry.title.clone().unwrap_or_else(|| song.file_name.clone()),
        ),
    };
    song.title = title;
    song.duration_ms = entry.duration_ms;
    song.set_credits(artist, Some(playlist.to_owned()), Some("Various Artists".into()));
    song
}

fn episode_song(episode: &feed::Episode, show: &feed::Show, source: Uuid) -> NewSong {
    let mut song = base_song(&episode.url, source);
    song.title = episode.title.clone();
    song.content_type = episode.content_type.clone();
    song.size_bytes = episode.size_bytes;
    song.duration_ms = episode.duration_ms;
    song.published_at = episode.published_at;
    song.year = episode.published_at.map(|at| chrono::Datelike::year(&at));
    song.image_url = episode.image_url.clone().or_else(|| show.image_url.clone());
    song.description = episode.description.clone();
    song.genres = vec!["Podcast".into()];
    let host = show.author.clone().unwrap_or_else(|| show.title.clone());
    let artist = episode.author.clone().unwrap_or_else(|| host.clone());
    song.set_credits(vec![artist], Some(show.title.clone()), Some(host));
    song
}
