//! Lists of articles: the query's parameters (status, sort, search phrase, category, author, tag)
//! read into one filter, a page of it and its total.

use chrono::NaiveDateTime;

use crate::articles::dto::{ArticleListQuery, ArticleOrder, ArticleSummary};
use crate::articles::repo::{ArticleFilter, Scope, Sort};
use crate::articles::service::summary::summaries_of;
use crate::articles::service::Totals;
use crate::auth::AuthUser;
use crate::categories::service::Tree;
use crate::clock::Moment;
use crate::db::DbConn;
use crate::domain::article_status::ArticleStatus;
use crate::domain::key::ItemKey;
use crate::domain::pagination::{PageParams, PageQuery, Paginated};
use crate::domain::role::Action;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::{authors, categories, tags};

const MAX_SEARCH_TERMS: usize = 16;

/// Which statuses a list asks for.
enum StatusFilter {
    /// No `status` parameter: visible articles, for everyone.
    Visible,
    /// `status=any`: everything the caller may see.
    Any,
    Only(Vec<ArticleStatus>),
}

fn parse_status_filter(raw: Option<&str>) -> Result<StatusFilter, ApiError> {
    let Some(raw) = raw else { return Ok(StatusFilter::Visible) };
    if raw == "any" {
        return Ok(StatusFilter::Any);
    }
    let mut statuses = Vec::new();
    for part in raw.split(',') {
        match ArticleStatus::parse(part) {
            Some(status) if !statuses.contains(&status) => statuses.push(status),
            Some(_) => {}
            None => {
                return Err(FieldError::new(
                    "status",
                    "must be `any` or a comma-separated list of draft, review, scheduled, published, archived",
                )
                .into())
            }
        }
    }
    Ok(StatusFilter::Only(statuses))
}

fn parse_sort(raw: Option<&str>, searching: bool) -> Result<Sort, ApiError> {
    let Some(raw) = raw else { return Ok(if searching { Sort::Relevance } else { Sort::Newest }) };
    match ArticleOrder::parse(raw) {
        Some(ArticleOrder::NewestFirst) => Ok(Sort::Newest),
        Some(ArticleOrder::OldestFirst) => Ok(Sort::Oldest),
        Some(ArticleOrder::Title) => Ok(Sort::Title),
        Some(ArticleOrder::MostViewed) => Ok(Sort::MostViewed),
        None => Err(FieldError::new("sort", "must be one of -published_at, published_at, title, -view_count").into()),
    }
}

/// A search phrase as a safe FTS5 query: every word quoted, so that FTS5 syntax in the phrase
/// (quotes, `NEAR`, `*`, column filters) is just text. All words must match.
pub fn fts_query(phrase: &str) -> Option<String> {
    let words: Vec<String> = phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_SEARCH_TERMS)
        .map(|w| format!("\"{w}\""))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

pub fn list(
    conn: &mut DbConn,
    viewer: Option<&AuthUser>,
    query: &ArticleListQuery,
    totals: &Totals,
    at: Moment,
) -> Result<Paginated<ArticleSummary>, ApiError> {
    let Moment { now, tz } = at;
    let (page, filter) = read_query(viewer, query, now)?;
    let tree = Tree::load(conn)?;
    let filter = match filter {
        Some(filter) => narrow_to_named(conn, &tree, query, filter)?,
        None => None,
    };
    let Some(mut filter) = filter else { return Ok(Paginated { data: Vec::new(), meta: page.meta(0) }) };
    let total = match filter.limit_search(conn)? {
        Some(found) => found,
        None => totals.get(conn, &filter)?,
    };
    let ids = filter.page(conn, page.limit(), page.offset())?;
    Ok(Paginated { data: summaries_of(conn, &tree, &ids, tz, now)?, meta: page.meta(total) })
}

/// The page and the filter that the query's own parameters ask for (their 401 and 422 are here);
/// no filter for a search phrase with no word in it, which matches nothing.
fn read_query(
    viewer: Option<&AuthUser>,
    query: &ArticleListQuery,
    now: NaiveDateTime,
) -> Result<(PageParams, Option<ArticleFilter>), ApiError> {
    // `status` is for logged-in users: asking without a login is 401 before any parameter is judged.
    if query.status.is_some() && viewer.is_none() {
        return Err(ApiError::Unauthorized);
    }
    let page = PageParams::parse(&PageQuery { page: query.page.clone(), per_page: query.per_page.clone() })?;
    let statuses = parse_status_filter(query.status.as_deref())?;
    let search = query.q.as_deref().map(fts_query);
    let sort = parse_sort(query.sort.as_deref(), search.is_some())?;
    let scope = match (&statuses, viewer) {
        (StatusFilter::Visible, _) => Scope::Public,
        (_, None) => return Err(ApiError::Unauthorized),
        (_, Some(user)) if user.role.may(Action::EditAnyArticle) => Scope::All,
        (_, Some(user)) => Scope::VisibleAndOwn(user.id),
    };
    let search = match search {
        Some(Some(fts)) => Some(fts),
        Some(None) => return Ok((page, None)),
        None => None,
    };
    let filter = ArticleFilter {
        scope,
        statuses: match statuses {
            StatusFilter::Only(list) => Some(list),
            StatusFilter::Visible | StatusFilter::Any => None,
        },
        categories: None,
        author: None,
        tag: None,
        search,
        sort,
        before: None,
        search_floor: None,
        now,
    };
    Ok((page, Some(filter)))
}

/// The filter narrowed to the category (with those below it), author and tag that the query names
/// by slug; none when one of them names nothing, so the list is empty.
fn narrow_to_named(
    conn: &mut DbConn,
    tree: &Tree,
    query: &ArticleListQuery,
    filter: ArticleFilter,
) -> Result<Option<ArticleFilter>, ApiError> {
    let categories = match query.category.as_deref() {
        Some(slug) => match categories::repo::find_by_key(conn, &ItemKey::slug(slug))? {
            Some(category) => Some(tree.subtree(category.id)),
            None => return Ok(None),
        },
        None => None,
    };
    let author = match query.author.as_deref() {
        Some(slug) => match authors::repo::find_by_key(conn, &ItemKey::slug(slug))? {
            Some(author) => Some(author.id),
            None => return Ok(None),
        },
        None => None,
    };
    let tag = match query.tag.as_deref() {
        Some(slug) => match tags::repo::find_by_key(conn, &ItemKey::slug(slug))? {
            Some(tag) => Some(tag.id),
            None => return Ok(None),
        },
        None => None,
    };
    Ok(Some(ArticleFilter { categories, author, tag, ..filter }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_phrases_become_safe_fts_queries() {
        assert_eq!(fts_query("Korea Utara").as_deref(), Some("\"Korea\" \"Utara\""));
        assert_eq!(fts_query("\"unbalanced").as_deref(), Some("\"unbalanced\""));
        assert_eq!(
            fts_query("title:rudal OR NEAR(a b) *").as_deref(),
            Some("\"title\" \"rudal\" \"OR\" \"NEAR\" \"a\" \"b\"")
        );
        assert_eq!(fts_query("  ... \" ' ").as_deref(), None);
        assert_eq!(fts_query("Ékonomi").as_deref(), Some("\"Ékonomi\""));
    }
}
