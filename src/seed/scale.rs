//! `warta seed --articles N ...`: a large generated newsroom for benchmarks and query plans. Rows go
//! in with multi-row inserts, in transactions of a few thousand articles, with the full-text index
//! written alongside. Bodies are composed of paragraphs from the demo newsroom, each rendered and
//! sanitized once, so a body's HTML is exactly what the API would store for its Markdown.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::schema::{
    article_authors, article_tags, article_views, articles, articles_fts, authors, categories, tags,
};
use crate::db::{self, DbConn, Engine};
use crate::domain::body::{self, BodyFormat};
use crate::domain::ids::{ArticleId, AuthorId, CategoryId, TagId, UserId};
use crate::domain::slug::Slug;
use crate::error::ApiError;
use crate::views::service::hour_of;

/// Rows per multi-row insert: 23 columns × 1,000 stays under SQLite's 32,766 bound variables.
const ROWS_PER_INSERT: usize = 1_000;
/// Articles per transaction.
const ARTICLES_PER_TRANSACTION: usize = 10_000;

#[derive(Debug, Clone, Copy)]
pub struct ScaleOptions {
    pub articles: u64,
    pub authors: u32,
    pub categories: u32,
    pub tags: u32,
    pub views: u64,
    /// The random seed: the same options make the same newsroom.
    pub seed: u64,
}

#[derive(Debug, Default)]
pub struct ScaleReport {
    pub articles: u64,
    pub authors: u32,
    pub categories: u32,
    pub tags: u32,
    pub views: u64,
    pub seconds: f64,
}

#[derive(Insertable)]
#[diesel(table_name = articles)]
struct SeedArticle {
    id: ArticleId,
    slug: String,
    title: String,
    excerpt: String,
    body: String,
    body_format: &'static str,
    body_html: String,
    word_count: i32,
    reading_time_minutes: i32,
    cover_url: Option<String>,
    cover_caption: Option<&'static str>,
    cover_credit: Option<&'static str>,
    cover_alt: Option<String>,
    category_id: CategoryId,
    status: &'static str,
    published_at: Option<NaiveDateTime>,
    version: i32,
    created_by: Option<UserId>,
    updated_by: Option<UserId>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A paragraph with everything derived from it, rendered once.
struct Paragraph {
    markdown: String,
    html: String,
    text: String,
    words: usize,
}

const SECTIONS: [&str; 24] = [
    "Berita",
    "Dunia",
    "Nasional",
    "Politik",
    "Hukum",
    "Ekonomi",
    "Bisnis",
    "Olahraga",
    "Sepak Bola",
    "Bulu Tangkis",
    "Otomotif",
    "Teknologi",
    "Sains",
    "Kesehatan",
    "Pendidikan",
    "Gaya Hidup",
    "Kuliner",
    "Wisata",
    "Hiburan",
    "Musik",
    "Film",
    "Opini",
    "Daerah",
    "Metro",
];
const FIRST_NAMES: [&str; 20] = [
    "Reni", "Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Wulan", "Fajar", "Ayu", "Dimas", "Intan",
    "Yoga", "Nadia", "Hendra", "Laras", "Bayu", "Citra", "Galih",
];
const LAST_NAMES: [&str; 16] = [
    "Erina",
    "Santoso",
    "Rahmawati",
    "Pratama",
    "Lestari",
    "Hidayat",
    "Kusuma",
    "Wibowo",
    "Saputra",
    "Maharani",
    "Nugroho",
    "Siregar",
    "Harahap",
    "Purnama",
    "Setiawan",
    "Anggraini",
];
const TOPICS: [&str; 24] = [
    "Pemilu",
    "Banjir",
    "Inflasi",
    "Rupiah",
    "Korupsi",
    "Pendidikan",
    "Kesehatan",
    "Transportasi",
    "Pangan",
    "Energi",
    "Diplomasi",
    "Startup",
    "UMKM",
    "Pariwisata",
    "Liga 1",
    "Timnas",
    "Cuaca",
    "Pajak",
    "Ekspor",
    "Beras",
    "Kereta",
    "Gempa",
    "Investasi",
    "Digital",
];
const SUBJECTS: [&str; 12] = [
    "Pemerintah",
    "DPR",
    "Bank Indonesia",
    "Warga",
    "Polisi",
    "Mahkamah Agung",
    "Petani",
    "Nelayan",
    "Mahasiswa",
    "Pengusaha",
    "Timnas",
    "Wali Kota",
];
const VERBS: [&str; 12] = [
    "Bahas",
    "Tolak",
    "Dukung",
    "Umumkan",
    "Tinjau",
    "Siapkan",
    "Evaluasi",
    "Minta",
    "Tunda",
    "Percepat",
    "Soroti",
    "Luncurkan",
];
const PLACES: [&str; 14] = [
    "Jakarta",
    "Bandung",
    "Surabaya",
    "Medan",
    "Makassar",
    "Semarang",
    "Denpasar",
    "Palembang",
    "Yogyakarta",
    "Balikpapan",
    "Manado",
    "Padang",
    "Pontianak",
    "Jayapura",
];

/// Plain paragraphs of the demo bodies (no lists, tables, quotes or footnotes), rendered once.
fn paragraphs() -> Result<Vec<Paragraph>, ApiError> {
    let demo: serde_json::Value = serde_json::from_str(super::demo::DEMO)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("seed/demo.json: {e}")))?;
    let bodies = demo["articles"].as_array().into_iter().flatten().filter_map(|a| a["body"].as_str());
    let plain = |p: &&str| {
        let p = p.trim();
        p.split_whitespace().count() >= 25
            && !p.contains("[^")
            && !p.contains('<')
            && !p.starts_with(['|', '-', '>', '#', '*', '!'])
            && !p.chars().next().is_some_and(|c| c.is_ascii_digit())
    };
    let pool: Vec<Paragraph> = bodies
        .flat_map(|b| b.split("\n\n").filter(plain).map(str::trim).map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|markdown| {
            // A plain paragraph always renders; one that would not is left out of the pool.
            let rendered = body::render(&markdown, BodyFormat::Markdown).ok()?;
            Some(Paragraph { words: rendered.word_count as usize, html: rendered.html, text: rendered.text, markdown })
        })
        .collect();
    if pool.len() < 20 {
        return Err(ApiError::Internal(anyhow::anyhow!("seed/demo.json has too few plain paragraphs")));
    }
    Ok(pool)
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Adds a generated newsroom as `admin`. Durability is relaxed while it loads (it is a bulk load
/// that is simply run again if interrupted) and restored before it returns.
pub fn load(
    conn: &mut DbConn,
    admin: UserId,
    options: ScaleOptions,
    now: NaiveDateTime,
) -> Result<ScaleReport, ApiError> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(options.seed);
    let sqlite = conn.engine() == Engine::Sqlite;
    if sqlite {
        conn.batch_execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")
            .map_err(|e| ApiError::Internal(e.into()))?;
    }
    let result = load_rows(conn, admin, options, now, &mut rng);
    if sqlite {
        conn.batch_execute("PRAGMA synchronous = FULL; PRAGMA cache_size = -2000;")
            .map_err(|e| ApiError::Internal(e.into()))?;
    } else if result.is_ok() {
        // Articles went in with their ids; PostgreSQL's sequence has to be told (SQLite's
        // AUTOINCREMENT keeps up by itself). Never moved back: ids are not reused.
        conn.batch_execute(
            "SELECT setval(pg_get_serial_sequence('articles', 'id'),
                GREATEST((SELECT COALESCE(MAX(id), 0) FROM articles), (SELECT last_value FROM articles_id_seq)));
             ANALYZE;",
        )
        .map_err(|e| ApiError::Internal(e.into()))?;
    }
    let mut report = result?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn load_rows(
    conn: &mut DbConn,
    admin: UserId,
    options: ScaleOptions,
    now: NaiveDateTime,
    rng: &mut StdRng,
) -> Result<ScaleReport, ApiError> {
    let run = rng.gen_range(100_000..999_999u32);
    let categories = db::write(conn, |conn| seed_categories(conn, options.categories.max(1), run, rng, now))?;
    let authors = db::write(conn, |conn| seed_authors(conn, options.authors.max(1), run, now))?;
    let tags = db::write(conn, |conn| seed_tags(conn, options.tags.max(1), run, now))?;
    let pool = paragraphs()?;
    let first_id = articles::table
        .select(diesel::dsl::max(articles::id))
        .first::<Option<ArticleId>>(conn)?
        .map_or(1, |id| id.0 + 1);
    let mut visible = Vec::with_capacity(options.articles as usize);
    let mut next = first_id;
    let mut remaining = options.articles as usize;
    while remaining > 0 {
        let count = remaining.min(ARTICLES_PER_TRANSACTION);
        let batch_visible = db::write(conn, |conn| {
            seed_articles(conn, next, count, &categories, &authors, &tags, &pool, admin, now, rng)
        })?;
        visible.extend(batch_visible);
        next += count as i32;
        remaining -= count;
    }
    let views = if options.views > 0 && !visible.is_empty() {
        db::write(conn, |conn| seed_views(conn, &visible, options.views, now, rng))?
    } else {
        0
    };
    Ok(ScaleReport {
        articles: options.articles,
        authors: authors.len() as u32,
        categories: categories.len() as u32,
        tags: tags.len() as u32,
        views,
        seconds: 0.0,
    })
}

fn seed_categories(
    conn: &mut DbConn,
    count: u32,
    run: u32,
    rng: &mut StdRng,
    now: NaiveDateTime,
) -> Result<Vec<CategoryId>, ApiError> {
    let roots = (count / 4).max(1);
    let mut ids: Vec<CategoryId> = Vec::with_capacity(count as usize);
    for i in 0..count {
        let name = format!("{} {}", SECTIONS[i as usize % SECTIONS.len()], i / SECTIONS.len() as u32 + 1);
        // A third of the sub-categories hang under other sub-categories: a tree three levels deep.
        let parent = if i < roots {
            None
        } else if i >= roots * 2 && rng.gen_bool(0.33) {
            Some(ids[rng.gen_range(roots as usize..ids.len())])
        } else {
            Some(ids[rng.gen_range(0..roots as usize)])
        };
        let id = diesel::insert_into(categories::table)
            .values((
                categories::slug.eq(format!("{}-{run}", Slug::generate(&name, "category").as_str())),
                categories::name.eq(&name),
                categories::description.eq(""),
                categories::parent_id.eq(parent),
                categories::position.eq((i % 10) as i32),
                categories::created_at.eq(now),
                categories::updated_at.eq(now),
            ))
            .returning(categories::id)
            .get_result::<CategoryId>(conn)?;
        ids.push(id);
    }
    Ok(ids)
}

fn seed_authors(conn: &mut DbConn, count: u32, run: u32, now: NaiveDateTime) -> Result<Vec<AuthorId>, ApiError> {
    let rows: Vec<_> = (0..count)
        .map(|i| {
            let name = format!(
                "{} {}{}",
                FIRST_NAMES[i as usize % FIRST_NAMES.len()],
                LAST_NAMES[(i as usize / FIRST_NAMES.len()) % LAST_NAMES.len()],
                if i as usize >= FIRST_NAMES.len() * LAST_NAMES.len() { format!(" {i}") } else { String::new() }
            );
            (
                authors::slug.eq(format!("{}-{run}-{i}", Slug::generate(&name, "author").as_str())),
                authors::name.eq(name),
                authors::title.eq(Some("Wartawan")),
                authors::created_at.eq(now),
                authors::updated_at.eq(now),
            )
        })
        .collect();
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        ids.extend(crate::db::per_engine!(&mut *conn, |c| diesel::insert_into(authors::table)
            .values(chunk)
            .returning(authors::id)
            .get_results::<AuthorId>(c))?);
    }
    Ok(ids)
}

fn seed_tags(conn: &mut DbConn, count: u32, run: u32, now: NaiveDateTime) -> Result<Vec<TagId>, ApiError> {
    let rows: Vec<_> = (0..count)
        .map(|i| {
            let name = format!("{} {run}-{i}", TOPICS[i as usize % TOPICS.len()]);
            (
                tags::slug.eq(Slug::generate(&name, "tag").into_string()),
                tags::name_key.eq(name.to_lowercase()),
                tags::name.eq(name),
                tags::created_at.eq(now),
                tags::updated_at.eq(now),
            )
        })
        .collect();
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        ids.extend(crate::db::per_engine!(&mut *conn, |c| diesel::insert_into(tags::table)
            .values(chunk)
            .returning(tags::id)
            .get_results::<TagId>(c))?);
    }
    Ok(ids)
}

/// Inserts `count` articles from id `first`; returns the ids of the visible ones.
#[allow(clippy::too_many_arguments)]
fn seed_articles(
    conn: &mut DbConn,
    first: i32,
    count: usize,
    categories: &[CategoryId],
    authors: &[AuthorId],
    tags: &[TagId],
    pool: &[Paragraph],
    admin: UserId,
    now: NaiveDateTime,
    rng: &mut StdRng,
) -> Result<Vec<ArticleId>, ApiError> {
    let mut rows = Vec::with_capacity(count);
    let mut bylines = Vec::with_capacity(count * 2);
    let mut tagging = Vec::with_capacity(count * 3);
    let mut index = Vec::with_capacity(count);
    let mut visible = Vec::with_capacity(count);
    let three_years = 3 * 365 * 24 * 60;
    for offset in 0..count {
        let id = ArticleId(first + offset as i32);
        let title = format!(
            "{} {} {} {} di {}",
            pick(rng, &SUBJECTS),
            pick(rng, &VERBS),
            pick(rng, &TOPICS),
            pick(rng, &TOPICS).to_lowercase(),
            pick(rng, &PLACES)
        );
        let mut paragraphs: Vec<&Paragraph> = Vec::with_capacity(12);
        let mut words = 0;
        while words < 560 {
            let p = pick(rng, pool);
            words += p.words;
            paragraphs.push(p);
        }
        let text = paragraphs.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(" ");
        let (status, published_at) = match rng.gen_range(0..100) {
            0..=3 => ("draft", None),
            4 => ("review", None),
            5 => ("scheduled", Some(now + Duration::minutes(rng.gen_range(60..30 * 24 * 60)))),
            6 => ("archived", Some(now - Duration::minutes(rng.gen_range(0..three_years)))),
            _ => ("published", Some(now - Duration::minutes(rng.gen_range(1..three_years)))),
        };
        if status == "published" {
            visible.push(id);
        }
        let cover = rng.gen_bool(0.85);
        rows.push(SeedArticle {
            id,
            slug: format!("{}-{}", Slug::generate(&title, "article").as_str(), id.0),
            excerpt: body::derived_excerpt(&text),
            body: paragraphs.iter().map(|p| p.markdown.as_str()).collect::<Vec<_>>().join("\n\n"),
            body_format: "markdown",
            body_html: paragraphs.iter().map(|p| p.html.as_str()).collect::<Vec<_>>().join(""),
            word_count: words as i32,
            reading_time_minutes: words.div_ceil(200).max(1) as i32,
            cover_url: cover.then(|| format!("https://images.warta.example/arsip/{}.jpg", id.0)),
            cover_caption: cover.then_some("Ilustrasi"),
            cover_credit: cover.then_some("Net"),
            cover_alt: cover.then(|| title.clone()),
            category_id: *pick(rng, categories),
            status,
            published_at,
            version: 1,
            created_by: Some(admin),
            updated_by: Some(admin),
            created_at: published_at.unwrap_or(now).min(now),
            updated_at: published_at.unwrap_or(now).min(now),
            title: title.clone(),
        });
        let first_author = rng.gen_range(0..authors.len());
        bylines.push((
            article_authors::article_id.eq(id),
            article_authors::author_id.eq(authors[first_author]),
            article_authors::position.eq(0),
        ));
        if authors.len() > 1 && rng.gen_bool(0.2) {
            let second = (first_author + 1 + rng.gen_range(0..authors.len() - 1)) % authors.len();
            bylines.push((
                article_authors::article_id.eq(id),
                article_authors::author_id.eq(authors[second]),
                article_authors::position.eq(1),
            ));
        }
        let mut chosen: Vec<TagId> = Vec::with_capacity(4);
        for _ in 0..rng.gen_range(1..=4) {
            // Popular tags are used far more than the rest, as in a real archive.
            let tag = tags[(rng.gen_range(0.0f64..1.0).powi(3) * tags.len() as f64) as usize % tags.len()];
            if !chosen.contains(&tag) {
                chosen.push(tag);
                tagging.push((article_tags::article_id.eq(id), article_tags::tag_id.eq(tag)));
            }
        }
        index.push((
            articles_fts::rowid.eq(id.0),
            articles_fts::title.eq(title),
            articles_fts::excerpt.eq(""),
            articles_fts::body.eq(text),
        ));
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        crate::db::per_engine!(&mut *conn, |c| diesel::insert_into(articles::table).values(chunk).execute(c))?;
    }
    for chunk in bylines.chunks(ROWS_PER_INSERT * 4) {
        crate::db::per_engine!(&mut *conn, |c| diesel::insert_into(article_authors::table).values(chunk).execute(c))?;
    }
    for chunk in tagging.chunks(ROWS_PER_INSERT * 4) {
        crate::db::per_engine!(&mut *conn, |c| diesel::insert_into(article_tags::table).values(chunk).execute(c))?;
    }
    for chunk in index.chunks(ROWS_PER_INSERT * 2) {
        crate::db::per_engine!(&mut *conn, |c| diesel::insert_into(articles_fts::table).values(chunk).execute(c))?;
    }
    Ok(visible)
}

/// Spreads `total` reads over the last 30 days, most of them on a few popular articles.
fn seed_views(
    conn: &mut DbConn,
    visible: &[ArticleId],
    total: u64,
    now: NaiveDateTime,
    rng: &mut StdRng,
) -> Result<u64, ApiError> {
    let current = hour_of(now);
    let mut buckets: HashMap<(ArticleId, i64), i64> = HashMap::new();
    let popular = visible.len().min(5_000);
    for _ in 0..total {
        let article = visible[(rng.gen_range(0.0f64..1.0).powi(4) * popular as f64) as usize % visible.len()];
        let hour = current - rng.gen_range(0..30 * 24) * 3600;
        *buckets.entry((article, hour)).or_insert(0) += 1;
    }
    let mut totals: HashMap<ArticleId, i64> = HashMap::new();
    let rows: Vec<_> = buckets
        .into_iter()
        .map(|((article, hour), views)| {
            *totals.entry(article).or_insert(0) += views;
            (article_views::article_id.eq(article), article_views::hour.eq(hour), article_views::views.eq(views))
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT * 4) {
        crate::db::per_engine!(&mut *conn, |c| diesel::insert_into(article_views::table).values(chunk).execute(c))?;
    }
    for (article, views) in totals {
        diesel::update(articles::table.find(article))
            .set(articles::view_count.eq(articles::view_count + views))
            .execute(conn)?;
    }
    crate::views::repo::forget_trending_totals(conn)?;
    Ok(total)
}
