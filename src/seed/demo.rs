//! `warta seed --demo`: a small, realistic Indonesian newsroom to click through in `/docs`. The
//! content lives in `seed/demo.json`, compiled into the binary. Loading goes through the same
//! services as the API, and skips whatever already exists, so running it twice changes nothing.

use chrono::{Duration, NaiveTime, TimeZone, Utc};

use serde::Deserialize;

use crate::articles::dto::{CoverImageInput, CreateArticleRequest};
use crate::auth::AuthUser;
use crate::categories::dto::CreateCategoryRequest;
use crate::clock::Moment;
use crate::db::DbConn;
use crate::domain::article_status::ArticleStatus;
use crate::domain::field::Field;
use crate::domain::ids::{AuthorId, CategoryId, MediaId};
use crate::domain::key::ItemKey;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::{articles, authors, categories};

pub(crate) const DEMO: &str = include_str!("../../seed/demo.json");

#[derive(Debug, Deserialize)]
struct Newsroom {
    categories: Vec<Category>,
    authors: Vec<Author>,
    articles: Vec<Article>,
}

#[derive(Debug, Deserialize)]
struct Category {
    name: String,
    slug: String,
    description: Option<String>,
    #[serde(default)]
    children: Vec<Category>,
}

#[derive(Debug, Deserialize)]
struct Author {
    name: String,
    slug: String,
    title: Option<String>,
    bio: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Article {
    slug: String,
    title: String,
    excerpt: Option<String>,
    body: String,
    category: String,
    authors: Vec<String>,
    tags: Vec<String>,
    cover_image: Option<CoverImageInput>,
    status: ArticleStatus,
    /// Days before today (negative: after), in the site's time zone.
    days_ago: i64,
    /// Local time of day, `HH:MM`.
    time: String,
}

/// What a run added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub categories: usize,
    pub authors: usize,
    pub articles: usize,
}

fn invalid(what: String) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("seed/demo.json: {what}"))
}

/// Loads the demo newsroom as `editor` (an editor or admin), adding only what is missing.
/// Articles with a cover in the demo file take one of `covers` (library items) in turn, keeping
/// the file's caption, credit and alt text; with no covers they keep the file's outside URL.
pub fn load(
    conn: &mut DbConn,
    editor: &AuthUser,
    moment: Moment,
    media_url: &str,
    covers: &[MediaId],
) -> Result<Loaded, ApiError> {
    let Moment { now, tz } = moment;
    let newsroom: Newsroom = serde_json::from_str(DEMO).map_err(|e| invalid(e.to_string()))?;
    let mut loaded = Loaded::default();
    let mut pending: Vec<(Option<CategoryId>, usize, &Category)> =
        newsroom.categories.iter().enumerate().map(|(i, c)| (None, i, c)).collect();
    while let Some((parent, position, category)) = pending.pop() {
        let id = match categories::repo::find_by_key(conn, &ItemKey::Slug(category.slug.clone()))? {
            Some(existing) => existing.id,
            None => {
                loaded.categories += 1;
                let req = CreateCategoryRequest {
                    name: Field::Value(category.name.clone()),
                    slug: Field::Value(category.slug.clone()),
                    description: category.description.clone().into(),
                    parent_id: parent.into(),
                    position: Field::Value(position as i32),
                };
                categories::service::create(conn, editor, req, now)?.id
            }
        };
        pending.extend(category.children.iter().enumerate().map(|(i, c)| (Some(id), i, c)));
    }
    for author in &newsroom.authors {
        if authors::repo::find_by_key(conn, &ItemKey::Slug(author.slug.clone()))?.is_none() {
            loaded.authors += 1;
            let req = authors::dto::CreateAuthorRequest {
                name: Field::Value(author.name.clone()),
                slug: Field::Value(author.slug.clone()),
                title: author.title.clone().into(),
                bio: author.bio.clone().into(),
                avatar_url: Field::Absent,
            };
            authors::service::create(conn, editor, req, now)?;
        }
    }
    let now = now.and_utc();
    let today = now.with_timezone(&tz).date_naive();
    for (index, article) in newsroom.articles.iter().enumerate() {
        if articles::repo::find_by_key(conn, &ItemKey::Slug(article.slug.clone()))?.is_some() {
            continue;
        }
        let category = categories::repo::find_by_key(conn, &ItemKey::Slug(article.category.clone()))?
            .ok_or_else(|| invalid(format!("{}: no category {}", article.slug, article.category)))?;
        let mut author_ids: Vec<AuthorId> = Vec::new();
        for slug in &article.authors {
            let author = authors::repo::find_by_key(conn, &ItemKey::Slug(slug.clone()))?
                .ok_or_else(|| invalid(format!("{}: no author {slug}", article.slug)))?;
            author_ids.push(author.id);
        }
        let time = NaiveTime::parse_from_str(&article.time, "%H:%M")
            .map_err(|_| invalid(format!("{}: time {:?} is not HH:MM", article.slug, article.time)))?;
        let local = (today - Duration::days(article.days_ago)).and_time(time);
        let at = tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or(now);
        let published_at = match article.status {
            // Published today at a time still to come: it happened a few minutes ago instead, in
            // the file's order.
            ArticleStatus::Published => Some(at.min(now - Duration::minutes(5 + index as i64))),
            ArticleStatus::Scheduled => Some(at),
            _ => None,
        };
        let req = CreateArticleRequest {
            title: article.title.clone(),
            slug: Some(article.slug.clone()),
            excerpt: article.excerpt.clone(),
            body: article.body.clone(),
            body_format: None,
            cover_image: article.cover_image.clone().map(|cover| match covers.get(index % covers.len().max(1)) {
                Some(media_id) => CoverImageInput { url: None, media_id: Some(*media_id), ..cover },
                None => cover,
            }),
            category_id: category.id,
            author_ids: Some(author_ids),
            tags: Some(article.tags.clone()),
            status: Some(article.status),
            published_at,
        };
        articles::service::create(conn, editor, req, moment, media_url)?;
        loaded.articles += 1;
    }
    Ok(loaded)
}

/// The account demo content is written as: the first admin.
pub fn first_admin(conn: &mut DbConn) -> Result<Option<AuthUser>, ApiError> {
    let admin = crate::users::repo::first_with_role(conn, Role::Admin)?;
    Ok(admin.map(|row| AuthUser { id: row.id, role: Role::Admin, email: row.email }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tests::memory_conn;

    #[test]
    fn the_demo_loads_once_and_completely() {
        let conn = &mut memory_conn();
        let hash = "not-a-real-hash".to_owned();
        let email = crate::domain::validation::Email::parse("email", "admin@warta.test").expect("email");
        let now = crate::clock::Clock::system().now();
        crate::users::service::create_first_admin(conn, &email, hash, now).expect("admin");
        let admin = first_admin(conn).expect("query").expect("an admin");
        let first = load(conn, &admin, Moment { now, tz: chrono_tz::Asia::Jakarta }, "http://warta.test/media", &[])
            .expect("loads");
        let newsroom: Newsroom = serde_json::from_str(DEMO).expect("valid json");
        assert_eq!(first.articles, newsroom.articles.len());
        assert_eq!(first.authors, newsroom.authors.len());
        assert!(first.categories >= 10, "{first:?}");
        assert_eq!(
            load(conn, &admin, Moment { now, tz: chrono_tz::Asia::Jakarta }, "http://warta.test/media", &[])
                .expect("loads again"),
            Loaded::default()
        );
    }
}
