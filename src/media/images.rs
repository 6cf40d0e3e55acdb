//! Pictures as uploaded, turned into pictures we serve. Nothing of an uploaded file is stored as it
//! came: it is recognised by its content, its size is judged from its header before any pixel is
//! decoded, and every stored file (the original and each variant) is written by an encoder from
//! decoded pixels, so EXIF, XMP, IPTC, GPS, comments and anything hidden after the image (a ZIP or
//! HTML in a polyglot) cannot reach a reader. The EXIF orientation is applied first, so the pixels
//! stand the right way up without the tag that said how.
//!
//! This is CPU work: callers run it on a blocking thread, at most one job per core.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

/// Larger pictures are refused from their header: decoding one would take gigabytes.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The widths of the resized copies, each made when it is not above the original's.
pub const VARIANT_WIDTHS: [u32; 5] = [320, 640, 960, 1280, 1920];
/// Lossy quality of JPEG files (the original and its variants).
const JPEG_QUALITY: u8 = 85;
/// Lossy quality of WebP files: about the JPEG's look at a little over half its bytes.
const WEBP_QUALITY: f32 = 80.0;
/// The placeholder's grid: 4×3 cells of colour, a string of 28 characters.
const PLACEHOLDER_COMPONENTS: (u32, u32) = (4, 3);
/// The placeholder is computed on a copy this wide; more pixels would change nothing visible.
const PLACEHOLDER_WIDTH: u32 = 32;

/// The picture formats we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl Format {
    /// Recognised by the first bytes of the file, whatever its name or declared type says.
    pub fn sniff(head: &[u8]) -> Option<Format> {
        match head {
            [0xFF, 0xD8, 0xFF, ..] => Some(Format::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Format::Png),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(Format::Gif),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Format::Webp),
            _ => None,
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
        }
    }

    /// The format of a stored file, from its extension.
    pub fn from_extension(extension: &str) -> Option<Format> {
        [Format::Jpeg, Format::Png, Format::Gif, Format::Webp].into_iter().find(|f| f.extension() == extension)
    }

    fn decoder_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Gif => ImageFormat::Gif,
            Format::Webp => ImageFormat::WebP,
        }
    }
}

/// Why a file is not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// 415.
    #[error("not a JPEG, PNG, WebP or GIF picture")]
    NotAPicture,
    /// 422.
    #[error("the file is empty")]
    Empty,
    /// 422, decided from the header.
    #[error("the picture is {width}×{height}, over the limit of 50 megapixels")]
    TooManyPixels { width: u32, height: u32 },
    /// 422.
    #[error("the picture is corrupt or truncated: {0}")]
    Corrupt(String),
    /// 422: a picture that is also a web page (a polyglot), which a browser sniffing it would run.
    #[error("the file carries HTML or script as well as a picture")]
    Markup,
}

/// Markup that makes a file a web page to a browser that sniffs it. Compressed pixel data is
/// noise, where a run of these bytes practically never occurs by chance (about once in 2^48
/// positions), so any occurrence was put there.
const MARKUP: [&[u8]; 7] = [b"<script", b"<html", b"<body", b"<iframe", b"<svg", b"<?php", b"<!doctype"];

fn carries_markup(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(at, b)| {
        *b == b'<'
            && MARKUP
                .iter()
                .any(|tag| bytes.get(at..at + tag.len()).is_some_and(|found| found.eq_ignore_ascii_case(tag)))
    })
}

/// One file as we store it.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// An upload, processed: the original re-encoded in its own format, the variants, and the placeholder.
#[derive(Debug)]
pub struct Processed {
    pub original: Encoded,
    pub variants: Vec<Encoded>,
    pub placeholder: String,
}

/// Recognises, checks and re-encodes `bytes`; see the module's documentation.
pub fn process(bytes: &[u8]) -> Result<Processed, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let format = Format::sniff(bytes).ok_or(Refusal::NotAPicture)?;
    let reader = || ImageReader::with_format(Cursor::new(bytes), format.decoder_format());
    // From the header alone: the decoder's own reading of it may want more of the file first.
    let size = imagesize::blob_size(bytes).map_err(corrupt)?;
    let (width, height) =
        (u32::try_from(size.width).unwrap_or(u32::MAX), u32::try_from(size.height).unwrap_or(u32::MAX));
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels { width, height });
    }
    if carries_markup(bytes) {
        return Err(Refusal::Markup);
    }
    if format == Format::Jpeg && !jpeg_is_complete(bytes) {
        return Err(Refusal::Corrupt("the JPEG data ends before the picture does".into()));
    }
    let mut decoder = reader().into_decoder().map_err(corrupt)?;
    // A picture whose orientation cannot be read is shown as stored, as browsers do.
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    picture.apply_orientation(orientation);
    let picture = if picture.color().has_alpha() {
        DynamicImage::ImageRgba8(picture.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(picture.to_rgb8())
    };
    let original = encode(&picture, format)?;
    let mut variants = Vec::new();
    for width in VARIANT_WIDTHS.into_iter().filter(|w| *w <= picture.width()) {
        let resized = resize(&picture, width)?;
        variants.push(encode(&resized, Format::Webp)?);
        if format != Format::Webp {
            variants.push(encode(&resized, format)?);
        }
    }
    Ok(Processed { original, variants, placeholder: placeholder(&picture)? })
}

fn corrupt(e: impl std::fmt::Display) -> Refusal {
    Refusal::Corrupt(e.to_string())
}

/// Whether a JPEG's markers run from the start of the image to its end marker. The decoder fills
/// a picture cut short with grey and says nothing, so the markers are walked here: segments by
/// their lengths, entropy-coded data up to the next marker that is not a restart or a stuffed 0xFF.
/// Bytes after the end marker are allowed (cameras append data there) and never stored.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2; // after the start-of-image marker
    while at + 1 < bytes.len() {
        if bytes[at] != 0xFF {
            return false;
        }
        let marker = bytes[at + 1];
        match marker {
            0xD9 => return true,
            // Fill bytes before a marker.
            0xFF => at += 1,
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => {
                let Some(length) = bytes.get(at + 2..at + 4).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
                else {
                    return false;
                };
                at += 2 + length;
                if marker == 0xDA {
                    // The scan's data: ends at a marker other than a restart (0xFFD0..D7) or
                    // a stuffed data byte (0xFF00).
                    while at + 1 < bytes.len() && (bytes[at] != 0xFF || matches!(bytes[at + 1], 0x00 | 0xD0..=0xD7)) {
                        at += 1;
                    }
                }
            }
        }
    }
    false
}

/// `picture` scaled to `width`, keeping its aspect ratio.
fn resize(picture: &DynamicImage, width: u32) -> Result<DynamicImage, Refusal> {
    let height = ((u64::from(picture.height()) * u64::from(width) + u64::from(picture.width()) / 2)
        / u64::from(picture.width()))
    .max(1) as u32;
    let mut resized = DynamicImage::new(width, height, picture.color());
    let options = fast_image_resize::ResizeOptions::new()
        .resize_alg(fast_image_resize::ResizeAlg::Convolution(fast_image_resize::FilterType::Lanczos3));
    fast_image_resize::Resizer::new().resize(picture, &mut resized, &options).map_err(corrupt)?;
    Ok(resized)
}

/// `picture` (8-bit RGB or RGBA) written by the encoder of `format`.
fn encode(picture: &DynamicImage, format: Format) -> Result<Encoded, Refusal> {
    let (width, height) = (picture.width(), picture.height());
    let bytes = match format {
        Format::Webp => {
            let encoder = match picture {
                DynamicImage::ImageRgba8(rgba) => webp::Encoder::from_rgba(rgba.as_raw(), width, height),
                other => webp::Encoder::from_rgb(other.as_bytes(), width, height),
            };
            encoder
                .encode_simple(false, WEBP_QUALITY)
                .map_err(|e| Refusal::Corrupt(format!("the WebP encoder refused the picture: {e:?}")))?
                .to_vec()
        }
        Format::Jpeg => {
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .encode_image(&picture.to_rgb8())
                .map_err(corrupt)?;
            out
        }
        Format::Png | Format::Gif => {
            let mut out = Cursor::new(Vec::new());
            picture.write_to(&mut out, format.decoder_format()).map_err(corrupt)?;
            out.into_inner()
        }
    };
    Ok(Encoded { width, height, format, bytes })
}

/// A BlurHash of the picture, for clients to paint while it loads.
fn placeholder(picture: &DynamicImage) -> Result<String, Refusal> {
    let small = resize(picture, PLACEHOLDER_WIDTH.min(picture.width()))?.to_rgba8();
    let (x, y) = PLACEHOLDER_COMPONENTS;
    blurhash::encode(x, y, small.width(), small.height(), small.as_raw())
        .map_err(|e| Refusal::Corrupt(format!("no placeholder: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        encode(&picture, Format::Jpeg).expect("a JPEG").bytes
    }

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(Format::sniff(&jpeg(8, 8)), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(Format::sniff(b"GIF89a..."), Some(Format::Gif));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(Format::sniff(b"%PDF-1.7"), None);
    }

    #[test]
    fn a_jpeg_is_complete_only_up_to_its_end_marker() {
        let whole = jpeg(64, 48);
        assert!(jpeg_is_complete(&whole));
        let mut trailed = whole.clone();
        trailed.extend_from_slice(b"PK\x03\x04 a zip after the picture");
        assert!(jpeg_is_complete(&trailed));
        for cut in [whole.len() - 2, whole.len() / 2, 100, 4] {
            assert!(!jpeg_is_complete(&whole[..cut]), "cut at {cut}");
        }
        assert_eq!(process(&whole[..whole.len() / 2]).err().map(|e| matches!(e, Refusal::Corrupt(_))), Some(true));
    }

    #[test]
    fn variants_are_made_up_to_the_original_width_in_webp_and_the_original_format() {
        let processed = process(&jpeg(1000, 500)).expect("processed");
        assert_eq!((processed.original.width, processed.original.height), (1000, 500));
        let sizes: Vec<_> = processed.variants.iter().map(|v| (v.width, v.height, v.format)).collect();
        assert_eq!(
            sizes,
            [
                (320, 160, Format::Webp),
                (320, 160, Format::Jpeg),
                (640, 320, Format::Webp),
                (640, 320, Format::Jpeg),
                (960, 480, Format::Webp),
                (960, 480, Format::Jpeg)
            ]
        );
        for variant in &processed.variants {
            assert_eq!(Format::sniff(&variant.bytes), Some(variant.format));
        }
        assert_eq!(processed.placeholder.len(), 28, "{}", processed.placeholder);
    }

    #[test]
    fn refusals() {
        assert_eq!(process(b"").err(), Some(Refusal::Empty));
        assert_eq!(process(b"just some text").err(), Some(Refusal::NotAPicture));
        let mut polyglot = jpeg(16, 16);
        polyglot.splice(2..2, *b"\xFF\xFE\x00\x1b<SCRIPT>alert(1)</script>");
        assert_eq!(process(&polyglot).err(), Some(Refusal::Markup));
        // A PNG header claiming 10000×6000 pixels: refused before anything is decoded.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&10_000u32.to_be_bytes());
        png.extend_from_slice(&6_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc = crc32(&png[12..]);
        png.extend_from_slice(&crc.to_be_bytes());
        assert_eq!(process(&png).err(), Some(Refusal::TooManyPixels { width: 10_000, height: 6_000 }));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
