//! How long the worst article bodies take to render and sanitize (`domain::body::render`): for each
//! hostile shape, the largest body under the request size limit, in each format, rendered
//! `RUNS` times; prints the median time, the outcome and the size of `body_html`.
//!
//! `bench/render.sh` (or `cargo run --release --example render_bench -- [MAX_BODY_BYTES] [RUNS]`).
//! The target is a median under 100 ms for every body.

use std::time::{Duration, Instant};

use warta::domain::body::{self, BodyFormat};

/// A paragraph of news prose, punctuation and quotes included.
const PROSE: &str = "Presiden mengatakan, \"Pemerintah akan terus mendukung UMKM.\" Kebijakan itu (diumumkan \
                     Senin, 12/8) berlaku mulai 2025, kata juru bicara istana kepada wartawan di Jakarta.\n\n";

/// Repeats `unit` as often as fits in `limit` bytes (with room for the JSON around the body).
fn fill(unit: &str, limit: usize) -> String {
    unit.repeat((limit - 4096) / unit.len())
}

/// `unit` repeated `times`, then words up to `limit`: syntax at a cap, the rest of the body prose.
fn then_prose(unit: &str, times: usize, limit: usize) -> String {
    let dense = unit.repeat(times);
    format!("{dense}{}", fill("kata ", limit - dense.len()))
}

fn bodies(limit: usize) -> Vec<(&'static str, BodyFormat, String)> {
    use BodyFormat::{Html, Markdown};
    let half = limit / 2;
    let formatting: String = (0..60).map(|i| format!("<b title={i}>")).collect();
    let table_row = format!("|{}\n", "isi|".repeat(100));
    let header = format!("|{}\n|{}\n", "kolom|".repeat(100), "---|".repeat(100));
    vec![
        ("nested blockquotes", Markdown, fill(">", limit)),
        ("nested lists", Markdown, format!("{}daftar", fill("- ", limit))),
        ("nested ordered lists", Markdown, format!("{}daftar", fill("1. ", limit))),
        ("indented lists", Markdown, (0..2000).map(|i| format!("{}- a\n", "  ".repeat(i % 120))).collect()),
        ("emphasis openers", Markdown, fill("*a ", limit)),
        ("nested emphases", Markdown, format!("{}kata{}", fill("*a ", half), fill(" b*", half))),
        ("nested brackets", Markdown, format!("{}a{}", fill("[", half), fill("]", half))),
        ("unclosed link destinations", Markdown, fill("[a](", limit)),
        ("footnote references", Markdown, format!("{}\n\n[^a]: Catatan.", fill("[^a]", limit))),
        ("footnote definitions", Markdown, fill("[^a]\n\n[^a]: x\n\n", limit)),
        ("a long table", Markdown, format!("{header}{}", fill(&table_row, limit - header.len()))),
        ("many paragraphs", Markdown, fill("a\n\n", limit)),
        ("many elements", Markdown, fill("*a* ", limit)),
        ("entities", Markdown, fill("&amp;&#x2014;", limit)),
        ("less-than signs", Markdown, fill("<", limit)),
        ("inline divs", Markdown, fill("<div>", limit)),
        ("nested divs", Html, fill("<div>", limit)),
        ("self-closed divs", Html, fill("<div/>", limit)),
        ("unmatched end tags", Html, fill("<div></x>", limit)),
        ("misnested bold and italic", Html, fill("<b><i>", limit)),
        ("nested tables", Html, fill("<table>", limit)),
        ("re-opened formatting", Html, format!("<div>{formatting}</div>{}", fill("<div>x</div>", limit))),
        ("unclosed links", Html, fill("<a href=\"https://a.example/\">", limit)),
        ("many elements", Html, fill("<p>a</p>", limit)),
        ("a long table", Html, format!("<table>{}</table>", fill("<tr><td>a</td><td>b</td></tr>", limit))),
        ("entities", Html, fill("&lt;&#x2014;&amp;", limit)),
        ("less-than signs", Html, fill("<", limit)),
        ("iframes", Html, fill("<iframe src=\"https://www.youtube.com/embed/a\"></iframe>", limit)),
        ("ampersands", Markdown, fill("&", limit)),
        ("ampersands", Html, fill("&", limit)),
        ("latin-1 signs", Html, fill("©", limit)),
        ("an attribute of ampersands", Html, format!("<p title=\"{}\">a</p>", fill("&", limit))),
        ("line breaks", Html, fill("\n", limit)),
        ("carriage returns", Html, fill("a\r\n", limit)),
        ("nul characters", Html, fill("a\0", limit)),
        ("prose", Markdown, fill(PROSE, limit)),
        ("prose", Html, fill(&format!("<p>{}</p>", PROSE.trim_end()), limit)),
        ("links at the syntax cap", Markdown, then_prose("[a](", body::MAX_MARKDOWN_SYNTAX / 3 - 10, limit)),
        ("emphasis at the syntax cap", Markdown, then_prose("*a ", body::MAX_MARKDOWN_SYNTAX - 10, limit)),
        ("brackets at the syntax cap", Markdown, then_prose("[", body::MAX_MARKDOWN_SYNTAX - 10, limit)),
        ("paragraphs at the syntax cap", Markdown, then_prose("a\n\n", body::MAX_MARKDOWN_SYNTAX / 2 - 10, limit)),
        ("elements at the node cap", Html, then_prose("<p>a</p>", body::MAX_NODES / 2 - 500, limit)),
        ("references at the node cap", Html, then_prose("&lt;", body::MAX_NODES / 2, limit)),
        (
            "links at the node cap",
            Html,
            then_prose("<a href=\"https://a.example/\">", body::MAX_NODES / 2 - 100, limit),
        ),
    ]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let limit: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1024 * 1024);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    println!("{:<28} {:<9} {:>9} {:>11}  outcome", "body", "format", "input", "median");
    let mut worst = (Duration::ZERO, String::new());
    for (what, format, body) in bodies(limit) {
        let mut times = Vec::with_capacity(runs);
        let mut outcome = String::new();
        for _ in 0..runs {
            let started = Instant::now();
            let result = body::render(&body, format);
            times.push(started.elapsed());
            outcome = match result {
                Ok(rendered) => format!("rendered, body_html {} bytes", rendered.html.len()),
                Err(e) => format!("422: {e}"),
            };
        }
        times.sort();
        let median = times[times.len() / 2];
        if median >= worst.0 {
            worst = (median, format!("{what} ({})", format.as_str()));
        }
        println!(
            "{what:<28} {:<9} {:>9} {:>9.1}ms  {outcome}",
            format.as_str(),
            body.len(),
            median.as_secs_f64() * 1e3
        );
    }
    let (time, what) = worst;
    let verdict = if time < Duration::from_millis(100) { "under 100 ms" } else { "NOT under 100 ms" };
    println!("worst: {what}, median {:.1} ms: {verdict}", time.as_secs_f64() * 1e3);
}
