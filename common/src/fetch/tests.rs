//! The fetcher against tiny local HTTP servers on 127.0.0.1.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

use super::*;

/// Serves every connection with the raw response `respond(path)` builds;
/// `None` keeps the connection open without answering.
async fn serve(respond: fn(&str, u16) -> Option<String>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 4096];
                let read = socket.read(&mut buffer).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buffer[..read]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                match respond(&path, port) {
                    Some(response) => {
                        let _ = socket.write_all(response.as_bytes()).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    port
}

fn ok(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn redirect(location: &str) -> String {
    format!("HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
}

fn routes(path: &str, port: u16) -> Option<String> {
    Some(match path {
        "/hello" => ok("hello"),
        "/to-metadata" => redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-mapped" => redirect(&format!("http://[::ffff:127.0.0.1]:{port}/hello")),
        "/to-localhost" => redirect(&format!("http://localhost:{port}/hello")),
        "/to-hello" => redirect("/hello"),
        "/loop" => redirect("/loop"),
        "/big" => ok(&"x".repeat(2048)),
        "/big-chunked" => format!(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n800\r\n{}\r\n0\r\n\r\n",
            "y".repeat(2048)
        ),
        "/missing" => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into(),
        "/stall" => return None,
        _ => ok("other"),
    })
}

fn fetcher(allow: &[String]) -> Fetcher {
    let mut policy = FetchPolicy::new(allow.to_vec());
    policy.max_bytes = 1024;
    policy.timeout = Duration::from_millis(500);
    Fetcher::new(policy).expect("valid policy")
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("valid URL")
}

async fn fetch(fetcher: &Fetcher, text: &str) -> Result<(StatusCode, HeaderMap, Bytes), FetchError> {
    fetcher.get_bytes(&url(text), HeaderMap::new()).await
}

#[tokio::test]
async fn loopback_is_refused_unless_allow_listed() {
    let port = serve(routes).await;
    let guarded = fetcher(&[]);
    let error = fetch(&guarded, &format!("http://127.0.0.1:{port}/hello")).await;
    assert!(matches!(error, Err(FetchError::Refused { .. })), "{error:?}");
    let open = fetcher(&[format!("127.0.0.1:{port}")]);
    let (status, _, body) = fetch(&open, &format!("http://127.0.0.1:{port}/hello"))
        .await
        .expect("allowed");
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"hello"[..]));
}

#[tokio::test]
async fn names_resolving_to_loopback_are_refused_by_the_resolver() {
    let port = serve(routes).await;
    let error = fetch(&fetcher(&[]), &format!("http://localhost:{port}/hello")).await;
    match error {
        Err(FetchError::Refused { reason, .. }) => assert!(reason.contains("localhost"), "{reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let open = fetcher(&[format!("localhost:{port}")]);
    let (_, _, body) = fetch(&open, &format!("http://localhost:{port}/hello"))
        .await
        .expect("allowed");
    assert_eq!(&body[..], b"hello");
}

#[tokio::test]
async fn an_entry_with_a_port_allows_only_that_port() {
    let port = serve(routes).await;
    let other = fetcher(&[format!("127.0.0.1:{}", port.wrapping_add(1))]);
    let error = fetch(&other, &format!("http://127.0.0.1:{port}/hello")).await;
    assert!(matches!(error, Err(FetchError::Refused { .. })), "{error:?}");
}

#[tokio::test]
async fn redirects_are_checked_again_at_every_hop() {
    let port = serve(routes).await;
    let open = fetcher(&[format!("127.0.0.1:{port}")]);
    for path in ["/to-metadata", "/to-mapped", "/to-localhost"] {
        let error = fetch(&open, &format!("http://127.0.0.1:{port}{path}")).await;
        assert!(
            matches!(error, Err(FetchError::Refused { .. })),
            "{path}: {error:?}"
        );
    }
    let (_, _, body) = fetch(&open, &format!("http://127.0.0.1:{port}/to-hello"))
        .await
        .expect("same host");
    assert_eq!(&body[..], b"hello");
}

#[tokio::test]
async fn redirect_loops_stop() {
    let port = serve(routes).await;
    let error = fetch(
        &fetcher(&[format!("127.0.0.1:{port}")]),
        &format!("http://127.0.0.1:{port}/loop"),
    )
    .await;
    assert!(
        matches!(error, Err(FetchError::TooManyRedirects { max: 5, .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let port = serve(routes).await;
    let open = fetcher(&[format!("127.0.0.1:{port}")]);
    for path in ["/big", "/big-chunked"] {
        let error = fetch(&open, &format!("http://127.0.0.1:{port}{path}")).await;
        assert!(
            matches!(error, Err(FetchError::TooLarge { max_bytes: 1024, .. })),
            "{path}: {error:?}"
        );
    }
}

#[tokio::test]
async fn error_statuses_and_stalls_are_reported() {
    let port = serve(routes).await;
    let open = fetcher(&[format!("127.0.0.1:{port}")]);
    let error = fetch(&open, &format!("http://127.0.0.1:{port}/missing")).await;
    assert!(
        matches!(
            error,
            Err(FetchError::Status {
                status: StatusCode::NOT_FOUND,
                ..
            })
        ),
        "{error:?}"
    );
    let error = fetch(&open, &format!("http://127.0.0.1:{port}/stall")).await;
    assert!(matches!(error, Err(FetchError::Timeout { .. })), "{error:?}");
}

#[tokio::test]
async fn only_http_and_https_are_fetched() {
    for text in [
        "ftp://example.com/a.mp3",
        "file:///etc/passwd",
        "gopher://example.com/",
    ] {
        let error = fetch(&fetcher(&[]), text).await;
        assert!(
            matches!(error, Err(FetchError::Refused { .. })),
            "{text}: {error:?}"
        );
    }
}

#[tokio::test]
async fn literal_metadata_and_mapped_addresses_are_refused_without_connecting() {
    for text in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::1]:9/",
        "http://0.0.0.0:9/",
        "http://10.0.0.1/",
    ] {
        let error = fetch(&fetcher(&[]), text).await;
        assert!(
            matches!(error, Err(FetchError::Refused { .. })),
            "{text}: {error:?}"
        );
    }
}

#[test]
fn allow_list_settings_are_validated() {
    let raw = RawFetchSettings {
        fetch_allow_hosts: " 127.0.0.1:8090, localhost ,[::1]:80,demo.local".into(),
    };
    assert_eq!(raw.allow_hosts().expect("valid").len(), 4);
    let raw = RawFetchSettings {
        fetch_allow_hosts: "127.0.0.1:port".into(),
    };
    let error = raw.allow_hosts().expect_err("bad port");
    assert_eq!(error.name, "TONEARM_FETCH_ALLOW_HOSTS");
}
