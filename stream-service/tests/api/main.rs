mod conditional;
mod fixture;
mod helpers;
mod local;
mod metrics;
mod ranges;
mod remote;
mod transcode;
