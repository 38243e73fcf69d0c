mod exactly_once;
mod folding;
mod helpers;
mod readiness;
mod rebuild;
