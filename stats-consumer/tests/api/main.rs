mod broker;
mod exactly_once;
mod folding;
mod helpers;
mod key_bounds;
mod log_reset;
mod readiness;
mod rebuild;
