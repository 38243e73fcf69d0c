//! The `Range` request header, parsed by the `http-range-header` crate
//! (strict RFC 9110 syntax, the parser tower-http uses); this module only
//! decides what Tonearm does with its answer.

use http_range_header::{EndPosition, ParsedRanges, StartPosition, SyntacticallyCorrectRange};

/// One satisfiable-or-not byte range a client asked for (`a-b`, `a-`, `-n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeSpec(SyntacticallyCorrectRange);

impl RangeSpec {
    /// The single byte range of a `Range` header value. `None` when the
    /// header must be ignored (the whole file is then sent with 200):
    /// malformed syntax, `a-b` with `b < a`, or several ranges (multipart
    /// answers are optional in RFC 9110 and no player asks for them).
    pub fn parse(value: &str) -> Option<Self> {
        let parsed = http_range_header::parse_range_header(value).ok()?;
        let [range] = parsed.ranges.as_slice() else {
            return None;
        };
        if let (StartPosition::Index(start), EndPosition::Index(end)) = (range.start, range.end)
            && end < start
        {
            return None;
        }
        Some(Self(*range))
    }

    /// The inclusive `(first, last)` byte positions within a representation
    /// of `size` bytes, or `None` when unsatisfiable (416). A suffix longer
    /// than the file means the whole file, as RFC 9110 says.
    pub fn resolve(&self, size: u64) -> Option<(u64, u64)> {
        if size == 0 {
            return None;
        }
        let mut range = self.0;
        if let StartPosition::FromLast(suffix) = range.start
            && suffix > size
        {
            range.start = StartPosition::Index(0);
        }
        let valid = ParsedRanges { ranges: vec![range] }.validate(size).ok()?;
        valid.first().map(|range| (*range.start(), *range.end()))
    }

    /// The header value to forward to an origin, in canonical form.
    pub fn header_value(&self) -> String {
        let start = match self.0.start {
            StartPosition::Index(start) => start.to_string(),
            StartPosition::FromLast(suffix) => return format!("bytes=-{suffix}"),
        };
        match self.0.end {
            EndPosition::Index(end) => format!("bytes={start}-{end}"),
            EndPosition::LastByte => format!("bytes={start}-"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(header: &str, size: u64) -> Option<(u64, u64)> {
        RangeSpec::parse(header).expect("parses").resolve(size)
    }

    #[test]
    fn the_three_single_range_forms_resolve() {
        assert_eq!(resolve("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(resolve("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(resolve("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(resolve("bytes=990-2000", 1000), Some((990, 999)));
        assert_eq!(resolve("bytes=-5000", 1000), Some((0, 999)));
    }

    #[test]
    fn ranges_past_the_end_are_unsatisfiable() {
        assert_eq!(resolve("bytes=1000-", 1000), None);
        assert_eq!(resolve("bytes=0-10", 0), None);
    }

    #[test]
    fn malformed_or_multiple_ranges_are_ignored() {
        for header in [
            "bytes=abc",
            "items=0-1",
            "bytes=5-2",
            "bytes=0-1,5-6",
            "bytes=",
            "bytes=--1",
        ] {
            assert_eq!(RangeSpec::parse(header), None, "{header}");
        }
    }

    #[test]
    fn forwarded_values_are_canonical() {
        for header in ["bytes=0-99", "bytes=5-", "bytes=-7"] {
            assert_eq!(RangeSpec::parse(header).expect("parses").header_value(), header);
        }
    }
}
