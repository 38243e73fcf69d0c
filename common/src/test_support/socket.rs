//! WebSocket upgrade requests, as a browser behind the gateway or the
//! gateway itself sends them.

use tokio_tungstenite::tungstenite::{client::IntoClientRequest as _, handshake::client::Request};

/// An upgrade request for `url` (`ws://…`) carrying `headers`.
pub fn upgrade_request(url: &str, headers: &[(&str, &str)]) -> Request {
    let mut request = url.into_client_request().expect("a WebSocket URL");
    for (name, value) in headers {
        let name: tokio_tungstenite::tungstenite::http::HeaderName = name.parse().expect("a header name");
        request
            .headers_mut()
            .insert(name, value.parse().expect("a header value"));
    }
    request
}
