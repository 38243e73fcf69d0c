//! URLs as logs may hold them: scheme, host, port and path, never user
//! info, query or fragment (a private feed's token often rides in its
//! query).

use url::Url;

/// `scheme://host[:port]/path` of `url`.
pub fn url(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    shown
}

/// `text` with every http(s) URL in it cut down as [`url`] does; a URL
/// that does not parse is replaced by `<url>`.
pub fn urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = next_url(rest) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let len = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
            .unwrap_or(after.len());
        let candidate = &after[..len];
        // Punctuation that ends a sentence ("... answered 404.") is not the URL's.
        let trimmed = candidate.trim_end_matches([':', ',', '.', ';', ')']);
        match Url::parse(trimmed) {
            Ok(parsed) => out.push_str(&url(&parsed)),
            Err(_) => out.push_str("<url>"),
        }
        out.push_str(&candidate[trimmed.len()..]);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

fn next_url(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    [lower.find("http://"), lower.find("https://")]
        .into_iter()
        .flatten()
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_feed_token_never_reaches_the_logs() {
        let text = "https://user:pw@feeds.example.com:8443/show.rss?token=s3cret#x: no answer in time";
        assert_eq!(
            urls_in(text),
            "https://feeds.example.com:8443/show.rss: no answer in time"
        );
        assert_eq!(
            urls_in("fetched HTTP://a.example/b?k=v and http://c.example/d."),
            "fetched http://a.example/b and http://c.example/d."
        );
        assert_eq!(urls_in("no url here"), "no url here");
    }
}
