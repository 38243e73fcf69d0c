//! Decoding and resizing a cover within explicit bounds: a small file can
//! declare an image of 100000x100000 pixels (a decompression bomb), so
//! the decoder is told how large an image and how much memory it may use
//! before it allocates anything.

use std::io::Cursor;

use image::{ImageError, ImageFormat, ImageReader, Limits};

/// The longest side of a cover the catalog decodes.
pub const MAX_SIDE: u32 = 8192;
/// The most memory one decode may hold (a 4000x4000 RGBA image).
pub const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a cover cannot be resized; the message is shown to the client.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "the cover image is larger than {MAX_SIDE}x{MAX_SIDE} pixels or {MAX_DECODE_BYTES} bytes decoded"
    )]
    TooLarge,
    #[error("the cover is not a JPEG or PNG image that can be decoded")]
    Undecodable,
    #[error("the resized cover could not be encoded")]
    Encode(#[source] ImageError),
}

/// The content type a browser may be given for `bytes`: an image type it
/// renders, never anything else.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    match image::guess_format(bytes).ok()? {
        ImageFormat::Png => Some("image/png"),
        ImageFormat::Jpeg => Some("image/jpeg"),
        ImageFormat::Gif => Some("image/gif"),
        ImageFormat::WebP => Some("image/webp"),
        _ => None,
    }
}

/// The decoder limits every cover is read with.
pub fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// Fits the image in `size`x`size`, as JPEG. Blocking (CPU-bound).
pub fn resize(bytes: &[u8], size: u32) -> Result<Vec<u8>, DecodeError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| DecodeError::Undecodable)?;
    reader.limits(limits());
    let image = reader.decode().map_err(|error| match error {
        ImageError::Limits(_) => DecodeError::TooLarge,
        _ => DecodeError::Undecodable,
    })?;
    let thumbnail = image.thumbnail(size, size).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&thumbnail)
        .map_err(DecodeError::Encode)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose header declares `width`x`height` pixels, with a few
    /// bytes of (invalid) data: what a decompression bomb looks like to a
    /// decoder that trusts the header.
    pub fn declared_png(width: u32, height: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut png, b"IEND", &[]);
        png
    }

    fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&crc32(kind, data).to_be_bytes());
    }

    fn crc32(kind: &[u8], data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for byte in kind.iter().chain(data) {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_png_declaring_ten_billion_pixels_is_refused_before_decoding() {
        let bomb = declared_png(100_000, 100_000);
        assert_eq!(image_type(&bomb), Some("image/png"));
        assert!(matches!(resize(&bomb, 64), Err(DecodeError::TooLarge)));
        // Within the sides but over the memory bound: 8000x8000 RGB is 192 MB.
        assert!(matches!(
            resize(&declared_png(8000, 8000), 64),
            Err(DecodeError::TooLarge)
        ));
    }

    #[test]
    fn html_is_not_an_image_type() {
        assert_eq!(image_type(b"<html><script>alert(1)</script>"), None);
    }
}
