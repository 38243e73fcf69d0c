//! The gateway against small stand-in services started in the test (the
//! real services behind it are the `tonearm-e2e` crate's tests).

mod account_changes;
mod accounts;
mod docs;
mod exposure;
mod fixtures;
mod helpers;
mod proxy;
mod security;
mod sessions;
mod sign_in_limits;
mod socket;
mod subsonic_auth;
mod subsonic_credentials;
mod web_ui;
