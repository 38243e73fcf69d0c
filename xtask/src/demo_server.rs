//! A small static file server on loopback for the demo Internet sources:
//! GET and HEAD, single byte ranges, `/podcast.xml` written with its own
//! address. It runs on a background thread for as long as xtask runs.

use std::{
    fs::File,
    io::{BufRead, BufReader, Read, Seek, SeekFrom, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    thread,
};

use crate::{Result, demo};

/// Serves `dir` on a loopback port (0: a free one); returns the port.
pub fn start(dir: PathBuf, port: u16) -> Result<u16> {
    let listener =
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("demo server on port {port}: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            thread::spawn(move || {
                let _ = serve(stream, &dir, port);
            });
        }
    });
    Ok(port)
}

fn serve(mut stream: TcpStream, dir: &std::path::Path, port: u16) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("range")
        {
            range = parse_range(value.trim());
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let name = path.trim_start_matches('/');
    if name == "podcast.xml" {
        let body = demo::feed_xml(&format!("http://127.0.0.1:{port}"));
        return respond(
            &mut stream,
            method,
            "200 OK",
            "application/rss+xml",
            body.as_bytes(),
        );
    }
    let safe = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let Some(mut file) = safe.then(|| File::open(dir.join(name)).ok()).flatten() else {
        return respond(&mut stream, method, "404 Not Found", "text/plain", b"not found");
    };
    let size = file.metadata()?.len();
    let content_type = if name.ends_with(".jpg") {
        "image/jpeg"
    } else {
        "audio/mpeg"
    };
    let (status, start, end) = match range {
        Some((start, end)) if start < size => (
            "206 Partial Content",
            start,
            end.unwrap_or(size - 1).min(size - 1),
        ),
        Some(_) => {
            let head = format!(
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{size}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return stream.write_all(head.as_bytes());
        }
        None => ("200 OK", 0, size.saturating_sub(1)),
    };
    let length = if size == 0 { 0 } else { end - start + 1 };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n"
    );
    if status.starts_with("206") {
        head.push_str(&format!("Content-Range: bytes {start}-{end}/{size}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if method == "HEAD" {
        return Ok(());
    }
    file.seek(SeekFrom::Start(start))?;
    std::io::copy(&mut file.take(length), &mut stream)?;
    Ok(())
}

fn parse_range(value: &str) -> Option<(u64, Option<u64>)> {
    let (start, end) = value.strip_prefix("bytes=")?.split_once('-')?;
    let start = start.trim().parse().ok()?;
    let end = if end.trim().is_empty() {
        None
    } else {
        Some(end.trim().parse().ok()?)
    };
    Some((start, end))
}

fn respond(
    stream: &mut TcpStream,
    method: &str,
    status: &str,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(body)?;
    }
    Ok(())
}
