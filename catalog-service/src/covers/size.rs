//! `?size=`: any positive number of pixels, answered at one of a few
//! steps, so a client cannot make the catalog resize (and keep) a cover at
//! every size from 1 to 2048.

use std::str::FromStr;

/// The sizes covers are made at, smallest first.
pub const STEPS: [u32; 5] = [64, 128, 256, 512, 1024];

/// A requested cover size, snapped to the nearest step at or above it
/// (the largest step for anything larger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CoverSize(u32);

impl CoverSize {
    /// The step `pixels` is answered at.
    pub fn snap(pixels: u32) -> Self {
        let largest = STEPS[STEPS.len() - 1];
        Self(STEPS.into_iter().find(|step| *step >= pixels).unwrap_or(largest))
    }

    /// The largest side of the cover, in pixels.
    pub fn pixels(self) -> u32 {
        self.0
    }
}

/// `size` is not a positive whole number.
#[derive(Debug, thiserror::Error)]
#[error("expected a positive number of pixels")]
pub struct InvalidSize;

impl FromStr for CoverSize {
    type Err = InvalidSize;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let pixels = text.trim().parse::<u32>().map_err(|_| InvalidSize)?;
        if pixels == 0 {
            return Err(InvalidSize);
        }
        Ok(Self::snap(pixels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_snap_to_the_step_at_or_above_and_are_capped() {
        let snapped = |text: &str| text.parse::<CoverSize>().expect("a size").pixels();
        assert_eq!(snapped("1"), 64);
        assert_eq!(snapped("64"), 64);
        assert_eq!(snapped("65"), 128);
        assert_eq!(snapped("300"), 512);
        assert_eq!(snapped("1024"), 1024);
        assert_eq!(snapped("4000000"), 1024);
        assert!("0".parse::<CoverSize>().is_err());
        assert!("-5".parse::<CoverSize>().is_err());
        assert!("big".parse::<CoverSize>().is_err());
    }
}
