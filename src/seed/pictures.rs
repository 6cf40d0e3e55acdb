//! The demo newsroom's covers: pictures drawn here (a sky-to-ground gradient, a sun or moon, hills
//! and a few shapes, in colours chosen per picture), so that a new user sees covers at once
//! without anything downloaded. The same index draws the same picture every time, so a second
//! seed finds its items by their hash and adds none.

use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::domain::ids::MediaId;
use crate::error::ApiError;
use crate::media::images;
use crate::media::repo::{self, NewMediaRow};
use crate::media::service::store_files;
use crate::media::store::MediaStore;

/// How many distinct covers the demo draws; its articles take them in turn.
pub const DEMO_COVERS: usize = 24;
const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;

/// A small deterministic generator: the picture of an index never changes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 40) as f32) / ((1u64 << 24) as f32)
    }
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

/// A colour from a hue (0..1), saturation and lightness, as 0..255 channels.
fn hsl(h: f32, s: f32, l: f32) -> [f32; 3] {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h * 6.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (h * 6.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [(r + m) * 255.0, (g + m) * 255.0, (b + m) * 255.0]
}

/// The `index`th demo picture, as a JPEG.
pub fn picture(index: usize) -> Vec<u8> {
    let mut rng = Lcg(index as u64 + 1);
    let hue = rng.next();
    let (sky_top, sky_low) = (hsl(hue, 0.55, 0.35), hsl((hue + 0.08) % 1.0, 0.65, 0.75));
    let sun = (rng.next() * WIDTH as f32, (0.15 + rng.next() * 0.3) * HEIGHT as f32, 30.0 + rng.next() * 60.0);
    let sun_colour = hsl((hue + 0.5) % 1.0, 0.8, 0.85);
    let hills: Vec<(f32, f32, f32, [f32; 3])> = (0..3)
        .map(|layer| {
            let base = HEIGHT as f32 * (0.55 + 0.12 * layer as f32);
            (
                base,
                20.0 + rng.next() * 50.0,
                0.004 + rng.next() * 0.01,
                hsl((hue + 0.3) % 1.0, 0.4, 0.45 - 0.1 * layer as f32),
            )
        })
        .collect();
    let image = image::RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let mut colour = mix(sky_top, sky_low, fy / HEIGHT as f32);
        let distance = ((fx - sun.0).powi(2) + (fy - sun.1).powi(2)).sqrt();
        if distance < sun.2 {
            colour = sun_colour;
        } else if distance < sun.2 * 1.6 {
            colour = mix(sun_colour, colour, (distance - sun.2) / (sun.2 * 0.6));
        }
        for (phase, (base, amplitude, frequency, hill)) in hills.iter().enumerate() {
            let ridge = base + amplitude * (fx * frequency + phase as f32 * 1.7).sin();
            if fy > ridge {
                colour = mix(*hill, [0.0, 0.0, 0.0], ((fy - ridge) / HEIGHT as f32).min(0.5));
            }
        }
        image::Rgb(colour.map(|c| c.clamp(0.0, 255.0) as u8))
    });
    let mut out = Vec::new();
    // Written here, read back by the same upload path as any picture; a failure leaves it empty,
    // which that path refuses.
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&image);
    out
}

/// The demo covers, drawn, with their hashes.
pub fn draw_covers() -> Vec<(Vec<u8>, String)> {
    (0..DEMO_COVERS)
        .map(|index| {
            let bytes = picture(index);
            let sha256 = hex::encode(Sha256::digest(&bytes));
            (bytes, sha256)
        })
        .collect()
}

/// Processes and stores the files of the drawn covers that are not items yet (`known` tells);
/// the rows to add for them.
pub async fn store_covers(
    store: &dyn MediaStore,
    drawn: Vec<(Vec<u8>, String)>,
    known: impl Fn(&str) -> bool,
    now: chrono::NaiveDateTime,
) -> Result<Vec<NewMediaRow>, ApiError> {
    let mut rows = Vec::new();
    for (index, (bytes, sha256)) in drawn.into_iter().enumerate() {
        if known(&sha256) {
            continue;
        }
        let length = bytes.len() as u64;
        let processed = tokio::task::spawn_blocking(move || images::process(&bytes))
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("a picture job failed: {e}")))?
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("demo picture {index}: {e}")))?;
        let stored = store_files(store, &sha256, processed).await?;
        let words = (Some("Ilustrasi".to_owned()), Some("Ilustrasi".to_owned()), Some("Warta".to_owned()));
        rows.push(stored.row(sha256, length, format!("ilustrasi-{:02}.jpg", index + 1), words, None, now));
    }
    Ok(rows)
}

/// The items of the demo covers, in drawing order: found by their hash, or added from `rows`.
pub fn add_covers(conn: &mut DbConn, hashes: &[String], rows: &[NewMediaRow]) -> Result<Vec<MediaId>, ApiError> {
    let mut ids = Vec::new();
    for sha256 in hashes {
        ids.push(match (repo::find_by_sha256(conn, sha256)?, rows.iter().find(|row| row.sha256 == *sha256)) {
            (Some(existing), _) => existing.id,
            (None, Some(row)) => repo::insert(conn, row)?,
            (None, None) => {
                return Err(ApiError::Internal(anyhow::anyhow!("demo cover {sha256} was neither stored nor found")))
            }
        });
    }
    Ok(ids)
}
