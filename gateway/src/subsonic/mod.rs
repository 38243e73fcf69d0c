//! The OpenSubsonic API at `/rest/<method>` and `/rest/<method>.view`,
//! for the apps people already use. One adapter: it authenticates here
//! (the gateway owns accounts) and answers from the services' public APIs,
//! writing every answer through [`envelope`].

pub mod api_keys;
mod auth;
mod browse;
mod catalog;
pub mod credentials;
pub mod envelope;
mod events;
mod favourites;
mod folders;
pub mod kept;
mod lists;
mod lyrics;
mod media;
mod params;
mod play_counts;
pub mod play_figures;
mod playlists;
mod plays;
mod plays_lists;
mod podcasts;
mod queue;
mod radio;
mod random;
mod secrets;
mod shapes;
pub mod song_albums;
pub mod starred_marks;
mod system;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value};

use self::{
    envelope::{Format, SubsonicError},
    params::Params,
};
use crate::state::Gateway;

/// Extensions announced by `getOpenSubsonicExtensions`.
pub const EXTENSIONS: &[&str] = &[
    "apiKeyAuthentication",
    "formPost",
    "transcodeOffset",
    "songLyrics",
];

/// What a method answers: envelope members, or a relayed body (audio, covers).
pub enum Answer {
    Data(Map<String, Value>),
    Raw(HttpResponse),
}

/// One authenticated call.
pub struct Call<'a> {
    pub gateway: &'a Gateway,
    pub req: &'a HttpRequest,
    pub params: &'a Params,
    pub user: &'a auth::User,
}

impl Call<'_> {
    /// The catalog as this caller.
    pub fn catalog(&self) -> catalog::Catalog<'_> {
        catalog::Catalog {
            gateway: self.gateway,
            req: self.req,
            user: self.user,
        }
    }
}

/// Mounts `/rest/*` and the credential routes under `/api/auth/`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(api_keys::configure).route(
        "/rest/{method}",
        web::route()
            .guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Post()))
            .to(handle),
    );
}

/// Every `/rest` call: parameters, authentication, the method, the envelope.
async fn handle(
    req: HttpRequest,
    method: web::Path<String>,
    body: web::Bytes,
    gateway: web::Data<Gateway>,
) -> HttpResponse {
    let params = Params::read(&req, &body);
    let format = Format::from_params(params.get("f"), params.get("callback"));
    let method = method.trim_end_matches(".view");
    let answer = if method == "getOpenSubsonicExtensions" {
        Ok(system::extensions())
    } else {
        match auth::authenticate(&gateway, &req, &params).await {
            Ok(user) => {
                let call = Call {
                    gateway: &gateway,
                    req: &req,
                    params: &params,
                    user: &user,
                };
                let mut answer = dispatch(&call, method).await;
                if let Ok(Answer::Data(payload)) = &mut answer {
                    play_counts::add(&gateway.play_figures, payload).await;
                    starred_marks::add(&call, payload).await;
                }
                answer
            }
            Err(error) => Err(error),
        }
    };
    match answer {
        Ok(Answer::Data(payload)) => envelope::ok(&format, payload),
        Ok(Answer::Raw(response)) => response,
        Err(error) => envelope::failed(&format, &error),
    }
}

async fn dispatch(call: &Call<'_>, method: &str) -> Result<Answer, SubsonicError> {
    match method {
        "ping" => Ok(Answer::Data(Map::new())),
        "getLicense" => Ok(system::license()),
        "getMusicFolders" => Ok(system::music_folders()),
        "getUser" => system::user(call).await,
        "getArtists" => browse::artists(call).await,
        "getIndexes" => folders::indexes(call).await,
        "getMusicDirectory" => folders::directory(call).await,
        "getArtist" => browse::artist(call).await,
        "getAlbum" => browse::album(call).await,
        "getSong" => browse::song(call).await,
        "getGenres" => browse::genres(call).await,
        "search3" => lists::search3(call).await,
        "getAlbumList2" => lists::album_list2(call).await,
        "getAlbumList" => folders::older(lists::album_list2(call).await?, "albumList2", "albumList"),
        "search2" => folders::older(lists::search3(call).await?, "searchResult3", "searchResult2"),
        "getSongsByGenre" => folders::songs_by_genre(call).await,
        "stream" => media::stream(call, false).await,
        "download" => media::stream(call, true).await,
        "getCoverArt" => media::cover(call).await,
        "star" => favourites::star(call).await,
        "unstar" => favourites::unstar(call).await,
        "getStarred" => favourites::starred1(call).await,
        "getStarred2" => favourites::starred2(call).await,
        "getPlaylists" => playlists::list(call).await,
        "getPlaylist" => playlists::get(call).await,
        "createPlaylist" => playlists::create(call).await,
        "updatePlaylist" => playlists::update(call).await,
        "deletePlaylist" => playlists::delete(call).await,
        "getPlayQueue" => queue::get(call).await,
        "savePlayQueue" => queue::save(call).await,
        "scrobble" => plays::scrobble(call).await,
        "getNowPlaying" => plays::now_playing(call).await,
        "getLyricsBySongId" => lyrics::by_song_id(call).await,
        "getLyrics" => lyrics::by_artist_and_title(call).await,
        "getRandomSongs" => random::songs(call).await,
        "getPodcasts" => podcasts::podcasts(call).await,
        "getNewestPodcasts" => podcasts::newest(call).await,
        "getInternetRadioStations" => radio::stations(call).await,
        other => Err(SubsonicError::generic(format!(
            "unknown or not yet implemented method: {other}"
        ))),
    }
}

/// One envelope member.
pub fn data(key: &str, value: Value) -> Answer {
    let mut payload = Map::new();
    payload.insert(key.into(), value);
    Answer::Data(payload)
}
