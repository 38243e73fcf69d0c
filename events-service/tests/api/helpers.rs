use std::time::{Duration, Instant};

use common::{Settings, events::PlayerEvent, test_support::socket::upgrade_request};
use events_service::{Application, settings::EventsSettings};
use futures_util::{SinkExt as _, StreamExt as _};
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    message::Headers as _,
};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

pub type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

pub const SONG: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
/// Another song the catalog stand-in knows.
pub const SONG_B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

/// An id no catalog has.
pub const MADE_UP: &str = "d9428888-122b-11e1-b85c-61cd3cbb3210";

/// The user and session of a Subsonic app's scrobbles ([`scrobble`]).
pub const APP_USER: &str = "5b0e1d4c-0000-4000-8000-000000000001";
pub const APP_SESSION: &str = "subsonic-5b0e1d4c-0000-4000-8000-000000000001-DSub";

/// The internal token the services share in these tests (as the gateway
/// sends it).
pub const TOKEN: &str = "events-test-internal-token";

pub struct TestApp {
    pub address: String,
    pub port: u16,
    /// The WebSocket port.
    pub ws_port: u16,
    pub settings: Settings,
    pub events: EventsSettings,
    pub handle: actix_web::dev::ServerHandle,
    pub client: reqwest::Client,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Settings isolated from other tests: own topic, own key prefix, own
/// spool, the internal token set, and a catalog stand-in that knows `SONG`
/// and `SONG_B` (call inside the test's runtime).
pub fn isolated_settings() -> (Settings, EventsSettings) {
    let (mut settings, id) = common::test_support::isolated_settings();
    settings.internal_token = Some(TOKEN.into());
    settings.upstreams.catalog = vec![crate::fixtures::spawn(&[SONG, SONG_B]).url];
    let mut events = EventsSettings::load().expect("events settings load");
    events.spool_dir = std::env::temp_dir().join(format!("tonearm-test-spool-{id}"));
    events.tick = Duration::from_millis(50);
    (settings, events)
}

pub async fn spawn_app() -> TestApp {
    let (settings, events) = isolated_settings();
    spawn_app_with(settings, events).await
}

pub async fn spawn_app_with(settings: Settings, events: EventsSettings) -> TestApp {
    let app = Application::build_with(settings.clone(), events.clone())
        .await
        .expect("the service builds");
    let port = app.port();
    let ws_port = app.ws_port();
    let handle = app.handle();
    let task = tokio::spawn(app.run_until_stopped());
    let test_app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        ws_port,
        settings,
        events,
        handle,
        client: token_client(),
        task,
    };
    test_app.wait_ready().await;
    test_app
}

impl TestApp {
    /// Polls `/readyz` until the topics exist and Redis answers.
    pub async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let response = self.client.get(format!("{}/readyz", self.address)).send().await;
            if response.is_ok_and(|response| response.status().is_success()) {
                return;
            }
            assert!(Instant::now() < deadline, "the service never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens a socket as the gateway does (with the token) plus `headers`.
    pub async fn connect(&self, headers: &[(&str, &str)]) -> Socket {
        self.try_connect("/ws", headers).await.expect("the socket opens")
    }

    /// Opens a socket on `path` of the WebSocket port with the token.
    pub async fn try_connect(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let mut all = vec![("x-tonearm-internal-token", TOKEN)];
        all.extend_from_slice(headers);
        self.try_connect_raw(path, &all).await
    }

    /// Opens a socket on `path` with exactly `headers` (a client that
    /// reaches the port directly).
    pub async fn try_connect_raw(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let url = format!("ws://127.0.0.1:{}{path}", self.ws_port);
        tokio_tungstenite::connect_async(upgrade_request(&url, headers))
            .await
            .map(|(socket, _)| socket)
    }

    /// POST `body` as JSON to `path` with `headers`.
    pub async fn post_json(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: serde_json::Value,
    ) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.address)).json(&body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("an answer")
    }

    /// GET `path` with `headers`, answered with JSON.
    pub async fn get_json(&self, path: &str, headers: &[(&str, &str)]) -> serde_json::Value {
        let mut request = self.client.get(format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("an answer");
        response.json().await.expect("a JSON body")
    }

    /// Stops the service and waits for its producer to flush.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// Asserts an error answer with `status` and the JSON error `code`.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"]["code"], code, "{body}");
}

/// An HTTP client that sends the token on every request, as the gateway.
pub fn token_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-tonearm-internal-token",
        reqwest::header::HeaderValue::from_static(TOKEN),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

/// The next JSON text message, skipping pings.
pub async fn next_json(socket: &mut Socket) -> serde_json::Value {
    let deadline = Duration::from_secs(10);
    loop {
        let message = tokio::time::timeout(deadline, socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .expect("a valid frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON text"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text message, got {other:?}"),
        }
    }
}

/// Waits for a message of `kind`, skipping others.
pub async fn next_of_type(socket: &mut Socket, kind: &str) -> serde_json::Value {
    loop {
        let message = next_json(socket).await;
        if message["type"] == kind {
            return message;
        }
    }
}

pub async fn send_json(socket: &mut Socket, value: serde_json::Value) {
    socket.send(Message::text(value.to_string())).await.expect("sent");
}

/// One record read back from the topic.
#[derive(Debug)]
pub struct Read {
    pub key: String,
    pub event: PlayerEvent,
    pub request_id: Option<String>,
}

/// Reads the topic from the beginning until `want` returns true or 20 s
/// pass, off the test's runtime thread.
pub async fn read_topic(settings: &Settings, want: impl Fn(&[Read]) -> bool + Send + 'static) -> Vec<Read> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || read_topic_blocking(&settings, want))
        .await
        .expect("the reader finishes")
}

fn read_topic_blocking(settings: &Settings, want: impl Fn(&[Read]) -> bool) -> Vec<Read> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &settings.kafka.brokers)
        .set("group.id", format!("test-reader-{}", uuid::Uuid::new_v4()))
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut partitions = TopicPartitionList::new();
    for partition in 0..3 {
        partitions
            .add_partition_offset(&settings.kafka.events_topic, partition, Offset::Beginning)
            .expect("partition");
    }
    consumer.assign(&partitions).expect("assign");
    let mut read = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline && !want(&read) {
        let Some(message) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let message = message.expect("a record");
        let request_id = message.headers().and_then(|headers| {
            headers
                .iter()
                .find(|header| header.key == "x-request-id")
                .and_then(|header| header.value)
                .map(|value| String::from_utf8_lossy(value).into_owned())
        });
        read.push(Read {
            key: String::from_utf8_lossy(message.key().unwrap_or_default()).into_owned(),
            event: PlayerEvent::decode(message.payload().unwrap_or_default()).expect("a player event"),
            request_id,
        });
    }
    read
}

/// The events of one session, in topic order.
pub fn of_session<'a>(read: &'a [Read], session: &str) -> Vec<&'a Read> {
    read.iter().filter(|record| record.key == session).collect()
}

/// A Subsonic app ("DSub") reports `songs` for `user` (none: an anonymous call).
pub async fn scrobble(
    app: &TestApp,
    user: Option<&str>,
    songs: &[&str],
    submission: bool,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/events/scrobbles", app.address))
        .json(&serde_json::json!({ "songs": songs, "submission": submission, "client": "DSub" }));
    if let Some(user) = user {
        request = request
            .header("x-tonearm-user", user)
            .header("x-tonearm-role", "listener");
    }
    request.send().await.expect("an answer")
}

/// Sends plays of [`MADE_UP`] (each answered `unknown_song`), then a play
/// of `known`.
pub async fn play_made_up_then(socket: &mut Socket, known: &str) {
    for message in [
        serde_json::json!({"type": "play", "song": MADE_UP}),
        serde_json::json!({"type": "play", "song": MADE_UP}),
        serde_json::json!({"type": "resume", "song": MADE_UP}),
    ] {
        send_json(socket, message).await;
        let error = next_of_type(socket, "error").await;
        assert_eq!(error["code"], "unknown_song", "{error}");
    }
    send_json(socket, serde_json::json!({"type": "play", "song": known})).await;
}
