//! Tonearm's end-to-end tests (`tests/api`) and the Subsonic benchmark
//! (`bench/subsonic`, the example `subsonic-bench`). Nothing here ships:
//! this crate exists so that the services' own tests never depend on one
//! another.
