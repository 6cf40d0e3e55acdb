//! The list query's plans on an archive of realistic proportions: no filter, sort or audience may
//! scan the whole articles table.

use crate::articles::repo::list::{ArticleFilter, Scope, Sort};
use crate::db::tests::memory_conn;
use crate::domain::article_status::ArticleStatus;
use crate::domain::ids::{AuthorId, CategoryId, TagId, UserId};
use diesel::connection::SimpleConnection;

/// A full scan of a table reads as `SCAN a` (or `SCAN articles`) with no index named.
fn full_scans(plan: &[String]) -> Vec<String> {
    plan.iter()
        .filter(|step| {
            let step = step.trim();
            (step.starts_with("SCAN a") || step.starts_with("SCAN articles") || step.starts_with("SCAN article_"))
                && !step.contains("USING")
                && !step.contains("VIRTUAL TABLE")
        })
        .cloned()
        .collect()
}

#[test]
fn no_list_query_scans_the_whole_articles_table() {
    let conn = &mut memory_conn();
    // An archive with realistic proportions and row sizes: mostly published, some drafts, few
    // categories, many authors and tags, bodies of a few kilobytes. Like a production database it
    // has no planner statistics: Warta never runs ANALYZE, because SQLite's cost model, which
    // does not see how wide article rows are, would then prefer scanning the table to counting
    // along the small partial indexes.
    conn.batch_execute(
        "CREATE TEMP TABLE seq (value INTEGER PRIMARY KEY);
         WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 5000) INSERT INTO seq SELECT v FROM n;
         INSERT INTO categories (id, slug, name, position, created_at, updated_at)
             SELECT value, 'c' || value, 'C' || value, 0, '2024-01-01', '2024-01-01' FROM seq WHERE value <= 20;
         INSERT INTO users (id, email, email_key, name, role, password_hash, created_at, updated_at)
             SELECT value, value || '@x', value || '@x', 'U', 'writer', 'x', '2024-01-01', '2024-01-01' FROM seq WHERE value <= 30;
         INSERT INTO authors (id, slug, name, created_at, updated_at)
             SELECT value, 'a' || value, 'A' || value, '2024-01-01', '2024-01-01' FROM seq WHERE value <= 200;
         INSERT INTO tags (id, slug, name, name_key, created_at, updated_at)
             SELECT value, 't' || value, 'T' || value, 't' || value, '2024-01-01', '2024-01-01' FROM seq WHERE value <= 500;
         INSERT INTO articles (id, slug, title, excerpt, body, body_format, body_html, word_count,
                 reading_time_minutes, category_id, status, published_at, view_count, version, created_by,
                 created_at, updated_at)
             SELECT value, 's' || value, 'Judul ' || (value * 7919 % 5000), 'e', hex(randomblob(2000)), 'markdown',
                 hex(randomblob(2500)), 600, 3,
                 1 + value % 20, CASE WHEN value % 10 = 0 THEN 'draft' WHEN value % 50 = 1 THEN 'scheduled' ELSE 'published' END,
                 datetime('2020-01-01', '+' || (value * 17) || ' minutes'), value % 997, 1, 1 + value % 30,
                 '2020-01-01', '2020-01-01'
             FROM seq WHERE value <= 5000;
         INSERT INTO article_authors SELECT value, 1 + value % 200, 0 FROM seq WHERE value <= 5000;
         INSERT INTO article_tags SELECT value, 1 + value % 500 FROM seq WHERE value <= 5000;
         INSERT INTO articles_fts (rowid, title, excerpt, body) SELECT id, title, excerpt, body FROM articles;",
    )
    .expect("sample archive");
    // Later than every article in the archive, so every scheduled one is due.
    let now = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("a date");
    let scopes = [Scope::Public, Scope::VisibleAndOwn(UserId(1)), Scope::All];
    let sorts = [Sort::Newest, Sort::Oldest, Sort::Title, Sort::MostViewed, Sort::Relevance];
    let mut failures = Vec::new();
    for scope in scopes {
        for sort in sorts {
            let variants = [
                (None, None, None, None, None),
                (Some(vec![CategoryId(1), CategoryId(2)]), None, None, None, None),
                (None, Some(AuthorId(1)), None, None, None),
                (None, None, Some(TagId(1)), None, None),
                (None, None, None, Some("\"rudal\"".to_owned()), None),
                (None, None, None, None, Some(vec![ArticleStatus::Draft, ArticleStatus::Review])),
            ];
            for (categories, author, tag, search, statuses) in variants {
                let mut filter = ArticleFilter {
                    scope,
                    statuses,
                    categories,
                    author,
                    tag,
                    search,
                    sort,
                    before: None,
                    search_floor: None,
                    now,
                };
                filter.limit_search(conn).expect("search floor");
                let plan = filter.query_plans(conn);
                let scans = full_scans(&plan);
                if std::env::var_os("SHOW_PLANS").is_some() {
                    eprintln!(
                        "{scope:?} {sort:?} {:?} {:?} {:?}: {plan:?}",
                        filter.categories, filter.author, filter.statuses
                    );
                }
                if !scans.is_empty() {
                    failures.push(format!("{filter:?}\n  {}\n  plan: {plan:?}", scans.join("; ")));
                }
            }
        }
    }
    assert!(failures.is_empty(), "full scans of articles:\n{}", failures.join("\n"));
}
