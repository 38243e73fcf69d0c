//! The OpenAPI document of the stream service. The gateway merges it into
//! `/api/docs`, and the web client's contract test checks against a saved
//! copy (`web/src/api/openapi/stream.json`).

use utoipa::OpenApi;

use super::songs;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tonearm stream",
        description = "A song's bytes: the original with ranges and validators, or a transcode."
    ),
    paths(songs::stream_song),
    tags((name = "stream", description = "Playing songs"))
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_describes_the_song_route() {
        let document = common::http::openapi_snapshot("stream", &ApiDoc::openapi()).expect("the document");
        let song = &document["paths"]["/api/stream/songs/{id}"];
        assert!(song["get"].is_object() && song["head"].is_object(), "{song}");
        let names: Vec<&str> = song["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter_map(|parameter| parameter["name"].as_str())
            .collect();
        assert_eq!(names, ["id", "download", "format", "bitrate", "offset"]);
    }
}
