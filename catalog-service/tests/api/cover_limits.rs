//! Covers cost bounded work: decoding is limited, sizes snap to a few
//! steps, one decode per (cover, size) runs at a time, the disk cache is
//! bounded, and nothing served as a cover can be taken for a page.

use std::os::unix::fs::PermissionsExt as _;

use common::test_support::metrics;
use reqwest::{StatusCode, header};
use serde_json::json;

use crate::{
    audio::{Tags, make},
    fixtures::{FixtureServer, Route},
    helpers::{Options, TestApp, spawn_app_with_music, spawn_app_with_music_and},
    sources::{app_with, feed},
};

/// A PNG whose header declares `width`x`height` pixels, with a few bytes of
/// data: a decompression bomb to a decoder that trusts the header.
fn declared_png(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    for (kind, data) in [
        (b"IHDR", ihdr),
        (b"IDAT", vec![0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
        (b"IEND", Vec::new()),
    ] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        png.extend_from_slice(kind);
        png.extend_from_slice(&data);
        let mut crc = 0xffff_ffffu32;
        for byte in kind.iter().chain(&data) {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        png.extend_from_slice(&(!crc).to_be_bytes());
    }
    png
}

/// A `side`x`side` PNG with a gradient (so each size encodes differently).
fn gradient_png(side: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(side, side, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).expect("a PNG");
    out.into_inner()
}

/// An app with one song whose folder image is `cover`.
async fn app_with_cover(options: Options, cover: Vec<u8>) -> (TestApp, String) {
    let app = spawn_app_with_music_and(options, |dir| {
        make(dir, "album/01.ogg", &Tags::song("One", "A", "Covered"));
        std::fs::write(dir.join("album/cover.png"), &cover).expect("cover");
    })
    .await;
    let albums = app.get_json("albums").await;
    let album = albums["items"][0]["id"].as_str().expect("an album").to_owned();
    (app, album)
}

async fn decodes(app: &TestApp) -> u64 {
    let text = metrics::scrape(&app.client, &app.address).await;
    let decodes = metrics::value(&text, "tonearm_cover_decodes_total", &[]).expect("the decode counter");
    decodes as u64
}

fn cache_bytes(app: &TestApp) -> u64 {
    std::fs::read_dir(app.data.path().join("catalog/covers"))
        .expect("the cache folder")
        .map(|entry| entry.expect("entry").metadata().expect("meta").len())
        .sum()
}

#[tokio::test]
async fn a_png_declaring_ten_billion_pixels_is_refused_not_decoded() {
    let bomb = declared_png(100_000, 100_000);
    let (app, album) = app_with_cover(Options::default(), bomb.clone()).await;
    let resized = app.get(&format!("albums/{album}/cover?size=256")).await;
    assert_eq!(resized.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let message = TestApp::expect_error(resized, StatusCode::UNPROCESSABLE_ENTITY, "cover_unusable").await;
    assert!(message.contains("larger than"), "{message}");
    let original = app.get(&format!("albums/{album}/cover")).await;
    assert_eq!(original.status(), StatusCode::OK);
    assert_eq!(original.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        original.bytes().await.expect("bytes"),
        bomb,
        "the original, untouched"
    );
}

#[tokio::test]
async fn sizes_snap_to_steps_so_a_cover_is_made_at_five_sizes_at_most() {
    let (app, album) = app_with_cover(Options::default(), gradient_png(1100)).await;
    for (asked, made) in [
        (1, 64),
        (100, 128),
        (128, 128),
        (300, 512),
        (2048, 1024),
        (999_999, 1024),
    ] {
        let response = app.get(&format!("albums/{album}/cover?size={asked}")).await;
        assert_eq!(response.status(), StatusCode::OK, "size {asked}");
        let image = image::load_from_memory(&response.bytes().await.expect("bytes")).expect("a JPEG");
        assert_eq!((image.width(), image.height()), (made, made), "size {asked}");
    }
    assert_eq!(decodes(&app).await, 4, "64, 128, 512 and 1024, once each");
}

#[tokio::test]
async fn parallel_requests_for_one_cover_size_decode_it_once() {
    let (app, album) = app_with_cover(Options::default(), gradient_png(1100)).await;
    let url = app.url(&format!("albums/{album}/cover?size=1024"));
    let requests = (0..12).map(|_| {
        let (client, url) = (app.client.clone(), url.clone());
        tokio::spawn(async move {
            client
                .get(url)
                .send()
                .await
                .expect("sent")
                .bytes()
                .await
                .expect("bytes")
        })
    });
    let bodies = futures_util::future::join_all(requests).await;
    let first = bodies[0].as_ref().expect("joined").clone();
    for body in &bodies {
        assert_eq!(
            body.as_ref().expect("joined"),
            &first,
            "every answer is the same cover"
        );
    }
    assert_eq!(decodes(&app).await, 1);
}

#[tokio::test]
async fn the_cover_cache_stays_within_its_bytes_evicting_the_least_recently_used() {
    let cover = gradient_png(1100);
    let made = |size| {
        catalog_service::covers::decode::resize(&cover, size)
            .expect("resized")
            .len() as u64
    };
    // Room for the two largest sizes, not for a third.
    let bound = made(512) + made(1024);
    let mut options = Options::default();
    options.raw.cover_cache_max_bytes = bound;
    let (app, album) = app_with_cover(options, cover.clone()).await;
    for size in [64, 128, 256, 512, 1024] {
        let response = app.get(&format!("albums/{album}/cover?size={size}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            cache_bytes(&app) <= bound,
            "after {size}: {} > {bound}",
            cache_bytes(&app)
        );
    }
    assert_eq!(decodes(&app).await, 5);
    app.get(&format!("albums/{album}/cover?size=1024")).await;
    assert_eq!(decodes(&app).await, 5, "the most recent size is kept");
    app.get(&format!("albums/{album}/cover?size=64")).await;
    assert_eq!(decodes(&app).await, 6, "the least recently used was evicted");
    assert!(cache_bytes(&app) <= bound);
    for dir in ["catalog", "catalog/covers"] {
        let mode = std::fs::metadata(app.data.path().join(dir))
            .expect("a folder")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{dir} is private");
    }
}

#[tokio::test]
async fn every_cover_answer_is_an_image_that_cannot_run_as_a_page() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "a.flac", &Tags::covered("Covered", "A", "With cover"));
    })
    .await;
    let page = app.get_json("songs").await;
    let id = page["items"][0]["id"].as_str().expect("a song").to_owned();
    let unknown = uuid::Uuid::new_v4();
    for path in [
        format!("songs/{id}/cover"),
        format!("songs/{id}/cover?size=64"),
        format!("songs/{unknown}/cover"),
        format!("albums/{unknown}/cover"),
    ] {
        let response = app.get(&path).await;
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "sandbox", "{path}");
        if response.status() == StatusCode::OK {
            let kind = headers[header::CONTENT_TYPE].to_str().expect("text");
            assert!(kind.starts_with("image/"), "{path}: {kind}");
        }
    }
}

#[tokio::test]
async fn a_remote_cover_answering_html_is_never_served_as_a_page() {
    let server = FixtureServer::start().await;
    let art = server.url("/art.jpg");
    let show = feed(&[("Pilot", "ep1.mp3")]).replace(
        "<itunes:author>Ann Host</itunes:author>",
        &format!("<itunes:author>Ann Host</itunes:author><itunes:image href=\"{art}\"/>"),
    );
    server.set("/feed.xml", Route::ok("application/rss+xml", show));
    server.set(
        "/art.jpg",
        Route::ok(
            "text/html",
            "<html><script>fetch('/api/admin/users')</script></html>",
        ),
    );
    let app = app_with(&server).await;
    let added = app
        .admin_post("sources", Some(json!({ "url": server.url("/feed.xml") })))
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let page = app.get_json("songs").await;
    let id = page["items"][0]["id"].as_str().expect("a song");
    for size in ["", "?size=64"] {
        let response = app.get(&format!("songs/{id}/cover{size}")).await;
        assert_eq!(response.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(response.headers()[header::CONTENT_SECURITY_POLICY], "sandbox");
        let kind = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("text")
            .to_owned();
        assert!(!kind.contains("html"), "{kind}");
        let body = response.text().await.expect("body");
        assert!(!body.contains("<script>"), "{body}");
    }
}
