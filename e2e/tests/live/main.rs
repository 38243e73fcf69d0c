//! events-service and the stats consumer together, in this process,
//! against Redis and the broker: a play followed from a socket through
//! the topic and the fold back to the figures every socket is sent. The
//! events-service test helpers and catalog stand-in are shared with that
//! crate's own tests (not every one is used here).

#[allow(dead_code)]
#[path = "../../../events-service/tests/api/fixtures.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "../../../events-service/tests/api/helpers.rs"]
mod helpers;

mod consumer;
mod end_to_end;
mod fake_plays;
mod scale_out;
mod scrobbles;
