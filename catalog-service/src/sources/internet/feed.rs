//! Podcast feeds (RSS, Atom) with feed-rs: each episode with an audio
//! enclosure becomes a song, the show is its album.

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed};
use url::Url;

/// What a feed says about the show.
#[derive(Debug, Clone)]
pub struct Show {
    pub title: String,
    pub author: Option<String>,
    pub image_url: Option<String>,
    pub episodes: Vec<Episode>,
}

#[derive(Debug, Clone)]
pub struct Episode {
    pub url: Url,
    pub title: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub duration_ms: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
    pub image_url: Option<String>,
    pub author: Option<String>,
    pub description: Option<String>,
}

/// Whether `text` looks like XML of a feed.
pub fn looks_like_feed(text: &str) -> bool {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    start.starts_with("<?xml") || start.starts_with("<rss") || start.starts_with("<feed")
}

/// Parses a feed; the error says what is wrong with the XML.
pub fn parse(bytes: &[u8], url: &Url) -> Result<Show, String> {
    let feed = feed_rs::parser::Builder::new()
        .base_uri(Some(url.as_str()))
        .build()
        .parse(bytes)
        .map_err(|error| format!("the feed cannot be parsed: {error}"))?;
    Ok(show(feed, url))
}

fn show(feed: Feed, url: &Url) -> Show {
    let title = feed
        .title
        .map(|text| text.content.trim().to_owned())
        .filter(|title| !title.is_empty())
        .unwrap_or_else(|| url.host_str().unwrap_or("Podcast").to_owned());
    let author = feed.authors.first().map(|person| person.name.trim().to_owned());
    let image_url = feed.logo.or(feed.icon).map(|image| image.uri);
    let episodes = feed
        .entries
        .into_iter()
        .filter_map(|entry| episode(entry, url))
        .collect();
    Show {
        title,
        author: author.filter(|name| !name.is_empty()),
        image_url,
        episodes,
    }
}

fn episode(entry: Entry, base: &Url) -> Option<Episode> {
    let (content, media) = entry.media.iter().find_map(|media| {
        let content = media.content.iter().find(|content| {
            content.url.is_some()
                && content
                    .content_type
                    .as_ref()
                    .is_none_or(|kind| kind.to_string().starts_with("audio/"))
        })?;
        Some((content, media))
    })?;
    let url = base.join(content.url.as_ref()?.as_str()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let title = entry
        .title
        .map(|text| text.content.trim().to_owned())
        .filter(|title| !title.is_empty())
        .unwrap_or_else(|| url.path().rsplit('/').next().unwrap_or("Episode").to_owned());
    let duration = media.duration.or(content.duration);
    Some(Episode {
        title,
        content_type: content.content_type.as_ref().map(|kind| kind.to_string()),
        size_bytes: content
            .size
            .and_then(|size| i64::try_from(size).ok())
            .filter(|size| *size > 0),
        duration_ms: duration.map(|d| d.as_millis() as i64).filter(|ms| *ms > 0),
        published_at: entry.published.or(entry.updated),
        image_url: media
            .thumbnails
            .first()
            .map(|thumbnail| thumbnail.image.uri.clone()),
        author: media
            .credits
            .first()
            .map(|credit| credit.entity.clone())
            .or_else(|| entry.authors.first().map(|person| person.name.clone())),
        description: entry.summary.map(|text| text.content),
        url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Night Show</title><itunes:author>Ann Host</itunes:author>
<itunes:image href="http://pod.example/show.jpg"/>
<item><title>Episode 2</title><pubDate>Tue, 03 Jun 2025 09:00:00 GMT</pubDate>
<enclosure url="http://pod.example/ep2.mp3" length="12345" type="audio/mpeg"/>
<itunes:duration>01:02:03</itunes:duration></item>
<item><title>Show notes only</title><link>http://pod.example/notes</link></item>
</channel></rss>"#;

    #[test]
    fn episodes_come_from_enclosures() {
        let url = Url::parse("http://pod.example/feed.xml").expect("url");
        let show = parse(RSS.as_bytes(), &url).expect("parses");
        assert_eq!(show.title, "Night Show");
        assert_eq!(show.author.as_deref(), Some("Ann Host"));
        assert_eq!(show.image_url.as_deref(), Some("http://pod.example/show.jpg"));
        assert_eq!(show.episodes.len(), 1);
        let episode = &show.episodes[0];
        assert_eq!(episode.url.as_str(), "http://pod.example/ep2.mp3");
        assert_eq!(episode.duration_ms, Some(3_723_000));
        assert_eq!(episode.size_bytes, Some(12345));
        assert!(episode.published_at.is_some());
    }

    #[test]
    fn malformed_xml_is_an_error() {
        let url = Url::parse("http://pod.example/feed.xml").expect("url");
        assert!(parse(b"<rss><channel><title>x</channel>", &url).is_err());
    }
}
