//! What the logs may say about a remote origin: its scheme, host, port and
//! path, never its query string or credentials (a private podcast feed's
//! enclosure URL often carries a token there).

use common::fetch::FetchError;
use reqwest::Url;

/// `scheme://host[:port]/path` of `url`: no user, password, query or fragment.
pub fn redacted(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(port) => format!("{}://{host}:{port}{}", url.scheme(), url.path()),
        None => format!("{}://{host}{}", url.scheme(), url.path()),
    }
}

/// A fetch failure for the logs, every URL in it redacted. `FetchError`'s
/// own text holds the full URL (and a transport error repeats it).
pub fn describe(error: &FetchError) -> String {
    match error {
        FetchError::Refused { url, reason } => format!("{} is refused: {reason}", redacted(url)),
        FetchError::TooManyRedirects { url, max } => format!("{}: more than {max} redirects", redacted(url)),
        FetchError::TooLarge { url, max_bytes } => {
            format!("{}: the body is larger than {max_bytes} bytes", redacted(url))
        }
        FetchError::Timeout { url } => format!("{}: no answer in time", redacted(url)),
        FetchError::Connect { url, message } => {
            let shown = redacted(url);
            format!("{shown}: {}", message.replace(url.as_str(), &shown))
        }
        FetchError::Status { url, status } => format!("{} answered {status}", redacted(url)),
        FetchError::Policy(reason) => format!("invalid fetch policy: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://user:pass@cdn.example:8443/feed/ep1.mp3?token=s3cret#t=10").expect("url")
    }

    #[test]
    fn a_logged_origin_url_keeps_no_query_or_credentials() {
        assert_eq!(redacted(&url()), "https://cdn.example:8443/feed/ep1.mp3");
    }

    #[test]
    fn a_logged_fetch_failure_never_holds_the_query_string() {
        let errors = [
            FetchError::Connect {
                url: url(),
                message: format!("error sending request for url ({})", url()),
            },
            FetchError::Status {
                url: url(),
                status: reqwest::StatusCode::FORBIDDEN,
            },
            FetchError::Timeout { url: url() },
            FetchError::Refused {
                url: url(),
                reason: "loopback".into(),
            },
        ];
        for error in &errors {
            assert!(error.to_string().contains("s3cret"), "the raw text would leak it");
            let logged = describe(error);
            assert!(!logged.contains("s3cret") && !logged.contains("pass"), "{logged}");
            assert!(logged.contains("cdn.example:8443/feed/ep1.mp3"), "{logged}");
        }
    }
}
