//! Sizes and times of gzip and brotli at several levels for the given files (answers saved from a
//! running Warta), to choose the levels cached answers are compressed at:
//! `cargo run --release --example compression_levels -- latest.json article.json list.json`.

use std::io::Write;
use std::time::Instant;

fn brotli(body: &[u8], quality: u32) -> usize {
    let mut writer = brotli::CompressorWriter::new(Vec::new(), 4096, quality, 22);
    writer.write_all(body).expect("write");
    writer.flush().expect("flush");
    writer.into_inner().len()
}

fn gzip(body: &[u8], level: u32) -> usize {
    let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    writer.write_all(body).expect("write");
    writer.finish().expect("finish").len()
}

/// A compressor: the body and the level in, the compressed size out.
type Compressor = fn(&[u8], u32) -> usize;

fn main() {
    println!("| answer | bytes | encoding | level | bytes | ratio | µs per answer |");
    println!("|---|---:|---|---:|---:|---:|---:|");
    for path in std::env::args().skip(1) {
        let body = std::fs::read(&path).expect("readable file");
        let name = std::path::Path::new(&path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or(path);
        let cases: [(&str, u32, Compressor); 7] = [
            ("gzip", 1, gzip),
            ("gzip", 6, gzip),
            ("gzip", 9, gzip),
            ("br", 3, brotli),
            ("br", 6, brotli),
            ("br", 9, brotli),
            ("br", 11, brotli),
        ];
        for (encoding, level, compress) in cases {
            let rounds = 50;
            let started = Instant::now();
            let mut size = 0;
            for _ in 0..rounds {
                size = compress(&body, level);
            }
            let micros = started.elapsed().as_micros() / rounds;
            let ratio = size as f64 / body.len() as f64;
            println!("| {name} | {} | {encoding} | {level} | {size} | {ratio:.3} | {micros} |", body.len());
        }
    }
}
