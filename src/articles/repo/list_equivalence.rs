//! The list query against a brute-force reading of its rules over every row of a small newsroom:
//! for every audience, status list, category, author, tag, search, cursor and order, the same ids
//! in the same order, and the same total.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::articles::repo::list::{ArticleFilter, Scope, Sort};
use crate::articles::repo::rows::ArticleRow;
use crate::articles::repo::search::index_text;
use crate::db::schema::{article_authors, article_tags, articles};
use crate::db::tests::memory_conn;
use crate::db::DbConn;
use crate::domain::article_status::ArticleStatus;
use crate::domain::ids::{ArticleId, AuthorId, CategoryId, TagId, UserId};

const WORDS: [&str; 4] = ["kota", "banjir", "pemilu", "rudal"];

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 6, 1).and_then(|d| d.and_hms_opt(12, 0, 0)).expect("a date")
}

/// 48 articles in every stored status and at every kind of time the workflow can store: drafts,
/// reviews and archived ones with no time, a past or a future one; published ones in the past;
/// scheduled ones due and not yet due. Three writers, three categories, two authors, three tags.
fn newsroom(conn: &mut DbConn) {
    conn.batch_execute(
        "INSERT INTO categories (id, slug, name, position, created_at, updated_at) VALUES
             (1, 'c1', 'C1', 0, '2024-01-01', '2024-01-01'), (2, 'c2', 'C2', 0, '2024-01-01', '2024-01-01'),
             (3, 'c3', 'C3', 0, '2024-01-01', '2024-01-01');
         INSERT INTO users (id, email, email_key, name, role, password_hash, created_at, updated_at) VALUES
             (1, 'a@x', 'a@x', 'A', 'writer', 'x', '2024-01-01', '2024-01-01'),
             (2, 'b@x', 'b@x', 'B', 'writer', 'x', '2024-01-01', '2024-01-01'),
             (3, 'c@x', 'c@x', 'C', 'editor', 'x', '2024-01-01', '2024-01-01');
         INSERT INTO authors (id, slug, name, created_at, updated_at) VALUES
             (1, 'a1', 'A1', '2024-01-01', '2024-01-01'), (2, 'a2', 'A2', '2024-01-01', '2024-01-01');
         INSERT INTO tags (id, slug, name, name_key, created_at, updated_at) VALUES
             (1, 't1', 'T1', 't1', '2024-01-01', '2024-01-01'), (2, 't2', 'T2', 't2', '2024-01-01', '2024-01-01'),
             (3, 't3', 'T3', 't3', '2024-01-01', '2024-01-01');",
    )
    .expect("taxonomy");
    for id in 1..=48_i32 {
        let status = ArticleStatus::ALL[(id % 5) as usize];
        // Several articles share a time, so that the order by id breaks ties.
        let hours = i64::from(id % 7) * 13 - 40;
        let at = now() + Duration::hours(hours);
        let published_at = match status {
            ArticleStatus::Published => Some(now() - Duration::hours(i64::from(id % 7) + 1)),
            ArticleStatus::Scheduled => Some(at),
            _ if id % 3 == 0 => None,
            _ => Some(at),
        };
        let published_at = published_at.map_or("NULL".to_owned(), |t| format!("'{t}'"));
        let title = format!("{} {}", WORDS[(id % 4) as usize], ["Zebra", "apel", "Mangga"][(id % 3) as usize]);
        let (category, creator, views) = (1 + id % 3, 1 + id % 3, (id * 37) % 11);
        conn.batch_execute(&format!(
            "INSERT INTO articles (id, slug, title, excerpt, body, body_format, body_html, word_count,
                 reading_time_minutes, category_id, status, published_at, view_count, version, created_by,
                 created_at, updated_at)
             VALUES ({id}, 's{id}', '{title}', 'e', 'b', 'markdown', 'h', 1, 1, {category}, '{}', {published_at},
                 {views}, 1, {creator}, '2024-01-01 00:00:00', '2024-01-01 00:00:00');",
            status.as_str()
        ))
        .expect("an article");
        let body = format!("{} {}", WORDS[(id % 3) as usize], WORDS[((id + 1) % 4) as usize]);
        index_text(conn, ArticleId(id), &title, "e", &body).expect("indexed");
        if id % 4 != 0 {
            diesel::insert_into(article_authors::table)
                .values((
                    article_authors::article_id.eq(ArticleId(id)),
                    article_authors::author_id.eq(AuthorId(1 + id % 2)),
                    article_authors::position.eq(0),
                ))
                .execute(conn)
                .expect("a byline");
        }
        for tag in (1..=3).filter(|t| id % (t + 1) == 0) {
            diesel::insert_into(article_tags::table)
                .values((article_tags::article_id.eq(ArticleId(id)), article_tags::tag_id.eq(TagId(tag))))
                .execute(conn)
                .expect("a tag");
        }
    }
}

/// An article with everything the rules look at.
struct Known {
    row: ArticleRow,
    authors: HashSet<AuthorId>,
    tags: HashSet<TagId>,
    text: String,
}

fn known(conn: &mut DbConn) -> Vec<Known> {
    let rows: Vec<ArticleRow> = articles::table.select(ArticleRow::as_select()).load(conn).expect("rows");
    let bylines: Vec<(ArticleId, AuthorId)> =
        article_authors::table.select((article_authors::article_id, article_authors::author_id)).load(conn).expect("b");
    let tagging: Vec<(ArticleId, TagId)> =
        article_tags::table.select((article_tags::article_id, article_tags::tag_id)).load(conn).expect("t");
    rows.into_iter()
        .map(|row| Known {
            authors: bylines.iter().filter(|(a, _)| *a == row.id).map(|(_, au)| *au).collect(),
            tags: tagging.iter().filter(|(a, _)| *a == row.id).map(|(_, t)| *t).collect(),
            text: format!(
                "{} e {} {}",
                row.title,
                WORDS[(row.id.0 % 3) as usize],
                WORDS[((row.id.0 + 1) % 4) as usize]
            )
            .to_lowercase(),
            row,
        })
        .collect()
}

/// The rules as the contract states them, row by row.
fn brute_force(all: &[Known], filter: &ArticleFilter, word: Option<&str>) -> Vec<ArticleId> {
    let now = filter.now;
    let mut kept: Vec<&Known> = all
        .iter()
        .filter(|k| {
            let row = &k.row;
            let visible = row.is_visible(now);
            let in_scope = match filter.scope {
                Scope::Public => visible,
                Scope::VisibleAndOwn(user) => visible || row.created_by == Some(user),
                Scope::OwnHidden(user) => !visible && row.created_by == Some(user),
                Scope::All => true,
            };
            let effective = row.status.effective(row.published_at, now);
            in_scope
                && filter.statuses.as_ref().is_none_or(|s| s.contains(&effective))
                && filter.categories.as_ref().is_none_or(|c| c.contains(&row.category_id))
                && filter.author.is_none_or(|a| k.authors.contains(&a))
                && filter.tag.is_none_or(|t| k.tags.contains(&t))
                && word.is_none_or(|w| k.text.split(' ').any(|x| x == w))
                && filter.before.is_none_or(|(at, id)| row.published_at.is_some_and(|p| (p, row.id.0) < (at, id.0)))
        })
        .collect();
    let newest = |a: &&Known, b: &&Known| (b.row.published_at, b.row.id.0).cmp(&(a.row.published_at, a.row.id.0));
    match filter.sort {
        Sort::Newest | Sort::Relevance => kept.sort_by(newest),
        Sort::Oldest => kept.sort_by_key(|k| (k.row.published_at, k.row.id.0)),
        Sort::Title => kept.sort_by(|a, b| (&a.row.title, a.row.id.0).cmp(&(&b.row.title, b.row.id.0))),
        Sort::MostViewed => kept.sort_by_key(|k| (std::cmp::Reverse(k.row.view_count), std::cmp::Reverse(k.row.id.0))),
    }
    kept.into_iter().map(|k| k.row.id).collect()
}

#[test]
fn the_list_query_keeps_and_orders_what_the_rules_say() {
    let conn = &mut memory_conn();
    newsroom(conn);
    let all = known(conn);
    let now = now();
    use ArticleStatus::*;
    let scopes = [Scope::Public, Scope::VisibleAndOwn(UserId(1)), Scope::OwnHidden(UserId(2)), Scope::All];
    let status_lists = [None, Some(vec![]), Some(vec![Published]), Some(vec![Scheduled]), Some(vec![Draft, Review])];
    let sorts = [Sort::Newest, Sort::Oldest, Sort::Title, Sort::MostViewed, Sort::Relevance];
    let cursor = Some((now - Duration::hours(3), ArticleId(20)));
    let mut checked = 0;
    for scope in scopes {
        for statuses in &status_lists {
            for categories in [None, Some(vec![CategoryId(1), CategoryId(3)])] {
                for (author, tag) in [(None, None), (Some(AuthorId(1)), None), (None, Some(TagId(2)))] {
                    for word in [None, Some("kota"), Some("banjir"), Some("tiada")] {
                        for before in [None, cursor] {
                            for sort in sorts {
                                let mut filter = ArticleFilter {
                                    scope,
                                    statuses: statuses.clone(),
                                    categories: categories.clone(),
                                    author,
                                    tag,
                                    search: word.map(|w| format!("\"{w}\"")),
                                    sort,
                                    before,
                                    search_floor: None,
                                    now,
                                };
                                let found = filter.limit_search(conn).expect("a floor");
                                let expected = brute_force(&all, &filter, word);
                                let got = filter.page(conn, 100, 0).expect("a page");
                                if sort == Sort::Relevance && word.is_some() {
                                    let (mut got, mut expected) = (got.clone(), expected.clone());
                                    got.sort_by_key(|id| id.0);
                                    expected.sort_by_key(|id| id.0);
                                    assert_eq!(got, expected, "{filter:?}");
                                } else {
                                    assert_eq!(got, expected, "{filter:?}");
                                    let second = filter.page(conn, 3, 3).expect("page 2");
                                    assert_eq!(second, expected.iter().skip(3).take(3).copied().collect::<Vec<_>>());
                                }
                                assert_eq!(filter.count(conn).expect("a count"), expected.len() as i64, "{filter:?}");
                                if word.is_some() {
                                    assert_eq!(found, Some(expected.len() as i64), "{filter:?}");
                                }
                                checked += usize::from(!expected.is_empty());
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 500, "the newsroom leaves too many combinations empty to prove anything: {checked}");
}

#[test]
fn the_total_key_names_the_filter_and_not_the_order() {
    let base = ArticleFilter {
        scope: Scope::Public,
        statuses: None,
        categories: Some(vec![CategoryId(1)]),
        author: None,
        tag: None,
        search: None,
        sort: Sort::Newest,
        before: None,
        search_floor: None,
        now: NaiveDateTime::MIN,
    };
    let key = base.total_key();
    assert_eq!(ArticleFilter { sort: Sort::Title, ..base.clone() }.total_key(), key);
    for other in [
        ArticleFilter { categories: Some(vec![CategoryId(2)]), ..base.clone() },
        ArticleFilter { scope: Scope::VisibleAndOwn(UserId(1)), ..base.clone() },
        ArticleFilter { scope: Scope::VisibleAndOwn(UserId(2)), ..base.clone() },
        ArticleFilter { author: Some(AuthorId(1)), ..base.clone() },
        ArticleFilter { statuses: Some(vec![ArticleStatus::Draft]), ..base.clone() },
        ArticleFilter { search: Some("\"kota\"".into()), ..base.clone() },
    ] {
        assert_ne!(other.total_key(), key, "{other:?}");
    }
}
