mod broker;
mod exactly_once;
mod folding;
mod helpers;
mod readiness;
mod rebuild;
