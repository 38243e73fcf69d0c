mod conditional;
mod fixture;
mod helpers;
mod local;
mod ranges;
mod transcode;
