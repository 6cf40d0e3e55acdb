//! The media benchmark's picture tools.
//!
//! `media_quality photo PATH WIDTH HEIGHT SEED` writes a photo-like JPEG (quality 92): a scene of
//! sky, sun and hills with sensor-like grain and fine texture, different for each seed.
//!
//! `media_quality compare PATH` resizes the picture to 1280 wide as Warta does, encodes it as WebP
//! at Warta's quality, measures its SSIM against the resized picture, finds the lowest JPEG quality
//! whose SSIM is at least that, and prints both sizes and their ratio. SSIM here: luma (BT.601),
//! 8×8 windows with a stride of 4, the usual constants (K1 0.01, K2 0.03, L 255), averaged.

use image::{DynamicImage, GrayImage, RgbImage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("photo") if args.len() == 6 => photo(&args[2], args[3].parse()?, args[4].parse()?, args[5].parse()?),
        Some("compare") if args.len() == 3 => compare(&args[2]),
        _ => Err("usage: media_quality photo PATH WIDTH HEIGHT SEED | compare PATH".into()),
    }
}

fn photo(path: &str, width: u32, height: u32, seed: u64) -> Result<(), Box<dyn std::error::Error>> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 1000) as f32 / 1000.0 - 0.5
    };
    let hue = (seed % 7) as f32 / 7.0;
    let picture = RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let ridge = 0.6 + 0.08 * (fx * 9.0 + hue * 6.0).sin() + 0.03 * (fx * 41.0).sin();
        let mut rgb = if fy < ridge {
            [90.0 + 120.0 * fy + 40.0 * hue, 130.0 + 90.0 * fy, 200.0 - 40.0 * fy]
        } else {
            // Grass or rock with texture at several scales, as a photo of ground has.
            let texture = 18.0 * (fx * 300.0).sin() * (fy * 280.0).cos() + 10.0 * (fx * 1200.0 + fy * 900.0).sin();
            [70.0 + texture + 60.0 * hue, 110.0 + texture - 30.0 * (fy - ridge), 50.0 + texture * 0.5]
        };
        let sun = ((fx - 0.7).powi(2) + (fy - 0.25).powi(2)).sqrt();
        if sun < 0.06 {
            rgb = [250.0, 240.0, 200.0];
        }
        let grain = noise() * 14.0;
        image::Rgb(rgb.map(|c| (c + grain).clamp(0.0, 255.0) as u8))
    });
    let mut out = std::fs::File::create(path)?;
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92).encode_image(&picture)?;
    Ok(())
}

fn luma(picture: &DynamicImage) -> GrayImage {
    picture.to_luma8()
}

fn ssim(a: &GrayImage, b: &GrayImage) -> f64 {
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let (width, height) = a.dimensions();
    let (mut total, mut windows) = (0.0, 0u64);
    for y in (0..height.saturating_sub(8)).step_by(4) {
        for x in (0..width.saturating_sub(8)).step_by(4) {
            let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for dy in 0..8 {
                for dx in 0..8 {
                    let pa = f64::from(a.get_pixel(x + dx, y + dy)[0]);
                    let pb = f64::from(b.get_pixel(x + dx, y + dy)[0]);
                    sa += pa;
                    sb += pb;
                    saa += pa * pa;
                    sbb += pb * pb;
                    sab += pa * pb;
                }
            }
            let n = 64.0;
            let (ma, mb) = (sa / n, sb / n);
            let (va, vb, cov) = (saa / n - ma * ma, sbb / n - mb * mb, sab / n - ma * mb);
            total += ((2.0 * ma * mb + c1) * (2.0 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            windows += 1;
        }
    }
    total / windows.max(1) as f64
}

fn compare(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let source = image::open(path)?;
    let width = 1280.min(source.width());
    let height = (u64::from(source.height()) * u64::from(width) / u64::from(source.width())) as u32;
    let mut resized = DynamicImage::new(width, height, image::ColorType::Rgb8);
    let options = fast_image_resize::ResizeOptions::new()
        .resize_alg(fast_image_resize::ResizeAlg::Convolution(fast_image_resize::FilterType::Lanczos3));
    fast_image_resize::Resizer::new().resize(&DynamicImage::ImageRgb8(source.to_rgb8()), &mut resized, &options)?;
    let reference = luma(&resized);
    let rgb = resized.to_rgb8();
    let webp = webp::Encoder::from_rgb(rgb.as_raw(), width, height)
        .encode_simple(false, 80.0)
        .map_err(|e| format!("webp: {e:?}"))?
        .to_vec();
    let webp_ssim = ssim(&reference, &luma(&image::load_from_memory(&webp)?));
    let jpeg_at = |quality: u8| -> Result<(Vec<u8>, f64), Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(&rgb)?;
        let score = ssim(&reference, &luma(&image::load_from_memory(&out)?));
        Ok((out, score))
    };
    // The lowest JPEG quality that reaches the WebP's SSIM (SSIM grows with quality).
    let (mut low, mut high) = (1u8, 100u8);
    while low < high {
        let middle = (low + high) / 2;
        if jpeg_at(middle)?.1 >= webp_ssim {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    let (jpeg, jpeg_ssim) = jpeg_at(low)?;
    let (warta_jpeg, warta_jpeg_ssim) = jpeg_at(85)?;
    println!(
        "{path}: {width}x{height}: WebP q80 {} bytes, SSIM {webp_ssim:.4}; JPEG at equal SSIM (q{low}) {} bytes, SSIM {jpeg_ssim:.4}; \
         WebP/JPEG {:.2}; (Warta's JPEG variant, q85: {} bytes, SSIM {warta_jpeg_ssim:.4})",
        webp.len(),
        jpeg.len(),
        webp.len() as f64 / jpeg.len() as f64,
        warta_jpeg.len(),
    );
    Ok(())
}
