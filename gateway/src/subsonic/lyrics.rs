//! Lyrics: `getLyricsBySongId` (OpenSubsonic `songLyrics`) and the older
//! `getLyrics` (by artist and title), from the lyrics the catalog read
//! from the file's tags (`lyrics` of `GET songs/{id}`).

use serde_json::{Value, json};

use super::{Answer, Call, data, envelope::SubsonicError};

/// `getLyricsBySongId` (`id`): `lyricsList` `{structuredLyrics: [...]}`,
/// one entry when the song has embedded lyrics (synced when they are LRC),
/// none otherwise.
pub async fn by_song_id(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?;
    let song = call.catalog().get(&format!("songs/{id}"), &[]).await?;
    let structured: Vec<Value> = song["lyrics"]
        .as_str()
        .map(|text| structured(text, &song))
        .into_iter()
        .collect();
    Ok(data("lyricsList", json!({ "structuredLyrics": structured })))
}

/// `getLyrics` (`artist`, `title`): `lyrics` `{artist, title, value}` of
/// the first song with that title (and artist, when given) that has
/// lyrics, as plain text; `lyrics` `{}` when there is none.
pub async fn by_artist_and_title(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let title = call.params.get("title").map(str::trim).unwrap_or_default();
    let artist = call.params.get("artist").map(str::trim).unwrap_or_default();
    if title.is_empty() {
        return Ok(data("lyrics", json!({})));
    }
    let found = call
        .catalog()
        .get("songs", &[("q", title), ("limit", "20")])
        .await?;
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    for song in found["items"].as_array().into_iter().flatten() {
        let title_matches = song["title"].as_str().is_some_and(|found| same(found, title));
        let artist_matches =
            artist.is_empty() || song["artist"].as_str().is_some_and(|found| same(found, artist));
        if !(title_matches && artist_matches) {
            continue;
        }
        let Some(id) = song["id"].as_str() else {
            continue;
        };
        let detail = call.catalog().get(&format!("songs/{id}"), &[]).await?;
        if let Some(text) = detail["lyrics"].as_str() {
            let plain: Vec<String> = lines(text).into_iter().map(|(_, line)| line).collect();
            return Ok(data(
                "lyrics",
                json!({ "artist": detail["artist"], "title": detail["title"], "value": plain.join("\n") }),
            ));
        }
    }
    Ok(data("lyrics", json!({})))
}

/// One `structuredLyrics` entry from embedded text.
fn structured(text: &str, song: &Value) -> Value {
    let lines = lines(text);
    let synced = !lines.is_empty() && lines.iter().all(|(start, _)| start.is_some());
    let line: Vec<Value> = lines
        .into_iter()
        .map(|(start, value)| match (synced, start) {
            (true, Some(start)) => json!({ "start": start, "value": value }),
            _ => json!({ "value": value }),
        })
        .collect();
    json!({
        "displayArtist": song["artist"],
        "displayTitle": song["title"],
        "lang": "xxx",
        "synced": synced,
        "offset": 0,
        "line": line,
    })
}

/// The lines of plain or LRC lyrics: `[mm:ss.xx]text` gives its start in
/// milliseconds; LRC tags (`[ar:...]`) and blank lines at either end are
/// left out.
fn lines(text: &str) -> Vec<(Option<u64>, String)> {
    let mut out: Vec<(Option<u64>, String)> = Vec::new();
    for raw in text.lines() {
        let raw = raw.trim_end_matches('\r');
        match raw.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
            Some((stamp, rest)) => match time_of(stamp) {
                Some(start) => out.push((Some(start), rest.trim().to_owned())),
                // An LRC tag such as [ar:Artist]: not a line.
                None if stamp.contains(':') => {}
                None => out.push((None, raw.to_owned())),
            },
            None => out.push((None, raw.to_owned())),
        }
    }
    while out.last().is_some_and(|(_, line)| line.trim().is_empty()) {
        out.pop();
    }
    let first = out
        .iter()
        .position(|(_, line)| !line.trim().is_empty())
        .unwrap_or(out.len());
    out.drain(..first);
    out
}

/// `mm:ss`, `mm:ss.xx` or `mm:ss.xxx` in milliseconds.
fn time_of(stamp: &str) -> Option<u64> {
    let (minutes, seconds) = stamp.split_once(':')?;
    let minutes: u64 = minutes.trim().parse().ok()?;
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, "0"));
    let whole: u64 = whole.trim().parse().ok()?;
    if whole >= 60 || fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = &fraction[..fraction.len().min(3)];
    let millis: u64 = format!("{digits:0<3}").parse().ok()?;
    Some(minutes * 60_000 + whole * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lrc_lyrics_are_synced_with_their_start_times() {
        let song = json!({ "artist": "Able", "title": "Alpha" });
        let lyrics = structured("[ar:Able]\n[00:01.50]First line\n[01:02.345]Second line\n", &song);
        assert_eq!(lyrics["synced"], true);
        assert_eq!(
            lyrics["line"],
            json!([{ "start": 1500, "value": "First line" }, { "start": 62345, "value": "Second line" }])
        );
        assert_eq!(lyrics["displayTitle"], "Alpha");
    }

    #[test]
    fn plain_lyrics_are_lines_without_times() {
        let lyrics = structured("\nOne\n\nTwo\n\n", &json!({}));
        assert_eq!(lyrics["synced"], false);
        assert_eq!(
            lyrics["line"],
            json!([{ "value": "One" }, { "value": "" }, { "value": "Two" }])
        );
    }

    #[test]
    fn odd_stamps_are_not_times() {
        assert_eq!(time_of("00:61"), None);
        assert_eq!(time_of("ar:Able"), None);
        assert_eq!(time_of("2:03"), Some(123_000));
        assert_eq!(time_of("00:01.5"), Some(1_500));
    }
}
