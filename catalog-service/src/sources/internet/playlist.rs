//! M3U/M3U8 and PLS playlists: entries with an optional title and length.
//! Both formats are simple line formats; parsing them here avoids a crate
//! for each.

use url::Url;

/// One playlist entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub url: Url,
    pub title: Option<String>,
    pub duration_ms: Option<i64>,
}

/// Whether `text` looks like a playlist (by its first meaningful line).
pub fn looks_like_playlist(text: &str) -> bool {
    let first = text.trim_start_matches('\u{feff}').trim_start();
    first.starts_with("#EXTM3U") || first.to_ascii_lowercase().starts_with("[playlist]")
}

/// Parses M3U or PLS; entries are resolved against `base` and only http(s)
/// entries are kept (a playlist must not name local files).
pub fn parse(text: &str, base: &Url) -> Vec<Entry> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().to_ascii_lowercase().starts_with("[playlist]") {
        parse_pls(text, base)
    } else {
        parse_m3u(text, base)
    }
}

fn resolve(base: &Url, location: &str) -> Option<Url> {
    let url = base.join(location.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn parse_m3u(text: &str, base: &Url) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut pending: Option<(Option<String>, Option<i64>)> = None;
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        if let Some(info) = line.strip_prefix("#EXTINF:") {
            // #EXTINF:<seconds>[ attributes],<title>
            let (head, title) = info.split_once(',').unwrap_or((info, ""));
            let seconds = head.split_whitespace().next().and_then(|s| s.parse::<f64>().ok());
            let duration = seconds.filter(|s| *s > 0.0).map(|s| (s * 1000.0) as i64);
            let title = Some(title.trim().to_owned()).filter(|t| !t.is_empty());
            pending = Some((title, duration));
        } else if line.starts_with('#') {
            continue;
        } else if let Some(url) = resolve(base, line) {
            let (title, duration_ms) = pending.take().unwrap_or((None, None));
            entries.push(Entry {
                url,
                title,
                duration_ms,
            });
        } else {
            pending = None;
        }
    }
    entries
}

fn parse_pls(text: &str, base: &Url) -> Vec<Entry> {
    use std::collections::BTreeMap;
    // Index -> (file, title, length).
    type Slot = (Option<String>, Option<String>, Option<i64>);
    let mut files: BTreeMap<u32, Slot> = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        let (field, index) = key.split_at(key.find(|c: char| c.is_ascii_digit()).unwrap_or(key.len()));
        let Ok(index) = index.parse::<u32>() else { continue };
        let slot = files.entry(index).or_default();
        match field {
            "file" => slot.0 = Some(value.to_owned()),
            "title" => slot.1 = Some(value.to_owned()).filter(|t| !t.is_empty()),
            "length" => slot.2 = value.parse::<i64>().ok().filter(|s| *s > 0).map(|s| s * 1000),
            _ => {}
        }
    }
    files
        .into_values()
        .filter_map(|(file, title, duration_ms)| {
            Some(Entry {
                url: resolve(base, &file?)?,
                title,
                duration_ms,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://radio.example/lists/main.m3u").expect("url")
    }

    #[test]
    fn m3u_entries_keep_titles_lengths_and_resolve_relative_urls() {
        let text = "#EXTM3U\n#EXTINF:123,Artist - Song\nsong.mp3\n\n#EXTINF:-1,Live\nhttps://s.example/live\nfile:///etc/passwd\n/abs.ogg\n";
        let entries = parse(text, &base());
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].url.as_str(), "http://radio.example/lists/song.mp3");
        assert_eq!(entries[0].title.as_deref(), Some("Artist - Song"));
        assert_eq!(entries[0].duration_ms, Some(123_000));
        assert_eq!(entries[1].duration_ms, None);
        assert_eq!(entries[2].url.as_str(), "http://radio.example/abs.ogg");
    }

    #[test]
    fn pls_entries_are_read_in_order() {
        let text = "[playlist]\nFile2=http://a.example/2.mp3\nTitle2=Two\nFile1=http://a.example/1.mp3\nLength1=60\nNumberOfEntries=2\nVersion=2\n";
        let entries = parse(text, &base());
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].url.as_str(), "http://a.example/1.mp3");
        assert_eq!(entries[0].duration_ms, Some(60_000));
        assert_eq!(entries[1].title.as_deref(), Some("Two"));
        assert!(looks_like_playlist(text));
        assert!(!looks_like_playlist("<rss>"));
    }
}
