//! Last.fm.
