//! Bytes: `stream` and `download` relay `/api/stream/songs/{id}` through
//! the gateway's pass-through (Range, conditional headers, no buffering);
//! `getCoverArt` relays the catalog's covers.

use super::{
    Answer, Call,
    envelope::{Code, SubsonicError},
};
use crate::proxy::{balancer::Service, forward};

/// Formats the stream service transcodes to.
const FORMATS: &[&str] = &["mp3", "opus", "aac"];

/// The stream service's query for the Subsonic parameters: nothing (the
/// original bytes, so Range works) unless a known `format`, a `maxBitRate`
/// or a `timeOffset` is asked for; either of the last two alone means MP3.
/// Apps that know `transcodeOffset` seek with `timeOffset` whatever they
/// are served, so an offset is honoured on an original stream too (only a
/// transcode can start mid-song).
pub fn transcode_query(format: Option<&str>, max_bit_rate: i64, time_offset: i64) -> Vec<(String, String)> {
    let format = format.map(str::to_ascii_lowercase);
    let format = match format.as_deref() {
        Some(known) if FORMATS.contains(&known) => Some(known.to_owned()),
        // `raw` or an unknown format: the original unless a bit rate is capped.
        _ if max_bit_rate > 0 || time_offset > 0 => Some("mp3".to_owned()),
        _ => None,
    };
    let Some(format) = format else {
        return Vec::new();
    };
    let mut query = vec![("format".to_owned(), format)];
    if max_bit_rate > 0 {
        query.push(("bitrate".into(), max_bit_rate.clamp(32, 320).to_string()));
    }
    if time_offset > 0 {
        query.push(("offset".into(), time_offset.min(86_400).to_string()));
    }
    query
}

/// `stream` (or, with `download`, the original file as an attachment).
pub async fn stream(call: &Call<'_>, download: bool) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?;
    let query = if download {
        vec![("download".to_owned(), "1".to_owned())]
    } else {
        transcode_query(
            call.params.get("format"),
            call.params.number("maxBitRate", 0),
            call.params.number("timeOffset", 0),
        )
    };
    let mut path = format!("/api/stream/songs/{id}");
    if !query.is_empty() {
        let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        path = format!("{path}?{}", pairs.join("&"));
    }
    relay(call, Service::Stream, &path).await
}

/// `getCoverArt`: the song's cover, else the album's; `size` in pixels.
pub async fn cover(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?;
    let size = match call.params.number("size", 0) {
        size if size > 0 => format!("?size={size}"),
        _ => String::new(),
    };
    match relay(
        call,
        Service::Catalog,
        &format!("/api/catalog/songs/{id}/cover{size}"),
    )
    .await
    {
        Err(error) if error.code == Code::NotFound => {
            relay(
                call,
                Service::Catalog,
                &format!("/api/catalog/albums/{id}/cover{size}"),
            )
            .await
        }
        other => other,
    }
}

/// The upstream answer as it comes; an unknown song or cover is error 70.
async fn relay(call: &Call<'_>, service: Service, path: &str) -> Result<Answer, SubsonicError> {
    let caller = call.user.caller();
    match forward::get_as(call.req, call.gateway, service, &caller, path).await {
        Ok(response) if response.status() == 404 => Err(SubsonicError::not_found("item")),
        Ok(response) => Ok(Answer::Raw(response)),
        Err(error) => Err(SubsonicError::generic(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_format_and_no_cap_streams_the_original() {
        assert!(transcode_query(None, 0, 0).is_empty());
        assert!(transcode_query(Some("raw"), 0, 0).is_empty());
    }

    #[test]
    fn an_offset_alone_is_honoured_by_transcoding() {
        assert_eq!(
            transcode_query(Some("raw"), 0, 42),
            vec![("format".into(), "mp3".into()), ("offset".into(), "42".into())]
        );
    }

    #[test]
    fn a_bit_rate_cap_transcodes_within_the_services_bounds() {
        let query = transcode_query(None, 1000, 30);
        assert_eq!(
            query,
            vec![
                ("format".into(), "mp3".into()),
                ("bitrate".into(), "320".into()),
                ("offset".into(), "30".into())
            ]
        );
        assert_eq!(
            transcode_query(Some("OPUS"), 0, 0),
            vec![("format".into(), "opus".into())]
        );
    }
}
