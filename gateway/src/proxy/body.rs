//! Request bodies on their way to a service: streamed chunk by chunk (never
//! collected), with the gateway's size limit enforced as they pass.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use actix_web::web::Bytes;
use actix_web::{HttpRequest, http::header, web};
use futures_util::StreamExt as _;
use http_body_util::{BodyExt as _, StreamBody};
use hyper::body::Frame;

use super::upstream::UpstreamBody;
use crate::error::GatewayError;

/// True when the request announces a body (a length above zero or chunked).
pub fn has_body(req: &HttpRequest) -> bool {
    let chunked = req
        .headers()
        .get(header::TRANSFER_ENCODING)
        .is_some_and(|value| !value.as_bytes().is_empty());
    chunked || declared_length(req).is_some_and(|length| length > 0)
}

fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Refuses at once a body whose declared length is over the limit.
pub fn check_declared_length(req: &HttpRequest, limit: u64) -> Result<(), GatewayError> {
    match declared_length(req) {
        Some(length) if length > limit => Err(GatewayError::BodyTooLarge { limit }),
        _ => Ok(()),
    }
}

/// A streamed upstream body plus a flag telling afterwards whether the
/// client sent more than the limit (so the failure is answered with 413).
pub struct LimitedBody {
    pub body: UpstreamBody,
    pub overflowed: Arc<AtomicBool>,
}

/// Moves the client's body to the upstream request through a small channel:
/// actix's payload lives on the worker thread, while the HTTP client needs a
/// `Send` body. The channel's capacity gives back-pressure both ways.
pub fn stream_to_upstream(mut payload: web::Payload, limit: u64) -> LimitedBody {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let overflowed = Arc::new(AtomicBool::new(false));
    let flag = overflowed.clone();
    actix_web::rt::spawn(async move {
        let mut total: u64 = 0;
        while let Some(chunk) = payload.next().await {
            let item = match chunk {
                Ok(bytes) => {
                    total += bytes.len() as u64;
                    if total > limit {
                        flag.store(true, Ordering::SeqCst);
                        Err(std::io::Error::other("request body over the limit"))
                    } else {
                        Ok(bytes)
                    }
                }
                Err(error) => Err(std::io::Error::other(error.to_string())),
            };
            let stop = item.is_err();
            if sender.send(item).await.is_err() || stop {
                break;
            }
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|item| (item.map(Frame::data), receiver))
    });
    LimitedBody {
        body: StreamBody::new(stream).boxed_unsync(),
        overflowed,
    }
}
