//! The editorial workflow: who may read, write, publish and delete which article, validation of
//! article writes, and the assembly of article answers from rows, bylines, tags and categories.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDateTime, SubsecRound, Timelike, Utc};
use chrono_tz::Tz;

use crate::articles::dto::{
    ArticleCategory, ArticleListQuery, ArticleOrder, ArticleResponse, ArticleSummary, CoverImage, CreateArticleRequest,
    UpdateArticleRequest,
};
use crate::articles::repo::{self, ArticleFields, ArticleFilter, ArticleRow, Scope, Sort, SummaryRow};
use crate::audit::{self, Change as Audited, Resource};
use crate::auth::AuthUser;
use crate::categories::service::Tree;
use crate::clock::Moment;
use crate::content_epoch::{ContentEpoch, Observed};
use crate::db::{self, DbConn};
use crate::domain::article_status::{ArticleStatus, Visibility};
use crate::domain::body::{self, BodyFormat, RenderedBody};
use crate::domain::display_date;
use crate::domain::ids::{ArticleId, AuthorId, CategoryId};
use crate::domain::key::ItemKey;
use crate::domain::pagination::{PageParams, PageQuery, Paginated};
use crate::domain::role::Action;
use crate::domain::slug::Slug;
use crate::domain::validation::{http_url, optional_text, required_text, FieldError, Violations};
use crate::error::{is_unique_violation, ApiError};
use crate::{authors, categories, tags};

const TITLE_MAX: usize = 300;
const EXCERPT_MAX: usize = 1_000;
const COVER_TEXT_MAX: usize = 500;
const MAX_AUTHORS: usize = 20;
const MAX_TAGS: usize = 30;
const TAG_NAME_MAX: usize = 100;
const MAX_SEARCH_TERMS: usize = 16;
const MAX_RELATED: i64 = 20;

/// Which version a write says it changes, from `If-Match` or the body's `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Neither was sent, or `If-Match: *`: 428.
    Missing,
    Version(i64),
    /// An `If-Match` list: met when any of them is current.
    AnyOf(Vec<i64>),
    /// An `If-Match` that names no version of ours: it cannot match, so 412.
    Unmatchable,
}

impl Precondition {
    /// Reads an `If-Match` header value: `"3"` or `W/"3"`, possibly in a list.
    pub fn from_if_match(value: Option<&str>) -> Option<Precondition> {
        let value = value?.trim();
        if value == "*" {
            return Some(Precondition::Missing);
        }
        let versions: Vec<i64> = value
            .split(',')
            .map(str::trim)
            .filter_map(|tag| {
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                let opaque = tag.strip_prefix('"')?.strip_suffix('"')?;
                // Entity tags compare as strings: `"05"` or `"+5"` is not the `"5"` we issued.
                let version = opaque.parse::<i64>().ok()?;
                (version.to_string() == opaque).then_some(version)
            })
            .collect();
        Some(match versions.as_slice() {
            [] => Precondition::Unmatchable,
            [one] => Precondition::Version(*one),
            _ => Precondition::AnyOf(versions),
        })
    }

    fn check(&self, current: i32) -> Result<(), ApiError> {
        let current = i64::from(current);
        match self {
            Precondition::Missing => Err(ApiError::PreconditionRequired),
            Precondition::Version(v) if *v == current => Ok(()),
            Precondition::AnyOf(list) if list.contains(&current) => Ok(()),
            _ => Err(ApiError::PreconditionFailed),
        }
    }
}

/// The answer to reading one article: the article, or the slug it moved to.
pub enum Lookup {
    Found(Box<ArticleResponse>),
    MovedTo(String),
}

fn can_read(viewer: Option<&AuthUser>, row: &ArticleRow, now: NaiveDateTime) -> bool {
    row.is_visible(now) || viewer.is_some_and(|u| u.role.may(Action::EditAnyArticle) || Some(u.id) == row.created_by)
}

pub fn get(conn: &mut DbConn, viewer: Option<&AuthUser>, key: &ItemKey, at: Moment) -> Result<Lookup, ApiError> {
    let Moment { now, tz } = at;
    if let Some(row) = repo::find_by_key(conn, key)? {
        if !can_read(viewer, &row, now) {
            return Err(ApiError::NotFound("article"));
        }
        return Ok(Lookup::Found(Box::new(full(conn, row, tz, now)?)));
    }
    if let Some(target) = retired_slug_target(conn, key)? {
        if let Some(row) = repo::by_ids(conn, &[target])?.pop().filter(|row| can_read(viewer, row, now)) {
            return Ok(Lookup::MovedTo(row.slug));
        }
    }
    Err(ApiError::NotFound("article"))
}

/// The article a slug named before a slug change after publication, when the key is such a slug.
/// Asked only after the key found nothing as it is.
fn retired_slug_target(conn: &mut DbConn, key: &ItemKey) -> Result<Option<ArticleId>, ApiError> {
    match key {
        ItemKey::Slug(slug) => Ok(repo::redirect_target(conn, slug)?),
        ItemKey::Id(_) | ItemKey::NoSuchId => Ok(None),
    }
}

/// What decides whether the article a key names is visible, without reading its body: for hot
/// paths such as the view beacon, which evaluate visibility themselves at the time of each read.
/// A slug retired by a slug change still counts: pages built with the old URL keep counting reads.
pub fn visibility(conn: &mut DbConn, key: &ItemKey) -> Result<Option<Visibility>, ApiError> {
    let found = match repo::status_of(conn, key)? {
        Some(found) => Some(found),
        None => match retired_slug_target(conn, key)? {
            Some(id) => repo::status_of(conn, &ItemKey::Id(id.0))?,
            None => None,
        },
    };
    Ok(found)
}

/// Visible articles related to a visible one (see `repo::related`); 404 for an article the
/// reader cannot see. A slug retired by a slug change still names its article.
pub fn related(
    conn: &mut DbConn,
    key: &ItemKey,
    limit: Option<&str>,
    at: Moment,
) -> Result<Vec<ArticleSummary>, ApiError> {
    let Moment { now, tz } = at;
    // The article first: an unknown one is 404 whatever `limit` says.
    let article = match repo::find_by_key(conn, key)? {
        Some(row) => Some(row),
        None => match retired_slug_target(conn, key)? {
            Some(id) => repo::by_ids(conn, &[id])?.pop(),
            None => None,
        },
    };
    let article = article.filter(|row| row.is_visible(now)).ok_or(ApiError::NotFound("article"))?;
    let limit = crate::domain::pagination::int_param("limit", limit)?.unwrap_or(5);
    if !(1..=MAX_RELATED).contains(&limit) {
        return Err(FieldError::new("limit", format!("must be between 1 and {MAX_RELATED}")).into());
    }
    let ids = repo::related(conn, &article, limit, now)?;
    let tree = Tree::load(conn)?;
    summaries_of(conn, &tree, &ids, tz, now)
}

/// Totals of list queries, reused for a short while. Counting a filter means visiting every
/// article it matches, which grows with the archive; the page itself does not. Kept for one
/// content epoch (a write or the next scheduled publication ends it), so a total is never behind
/// the list it belongs to.
pub struct Totals {
    ttl: std::time::Duration,
    epoch: std::sync::Arc<ContentEpoch>,
    state: std::sync::Mutex<TotalsState>,
}

#[derive(Default)]
struct TotalsState {
    entries: HashMap<String, (std::time::Instant, i64)>,
    /// The content epoch the entries were counted at.
    epoch: u64,
}

/// Totals kept at most; past it the cache starts over.
const MAX_TOTALS: usize = 10_000;
/// Longer keys (long search phrases) are counted each time rather than kept.
const MAX_TOTAL_KEY_BYTES: usize = 1_024;

impl Totals {
    pub fn new(ttl: std::time::Duration, epoch: std::sync::Arc<ContentEpoch>) -> Totals {
        Totals { ttl, epoch, state: std::sync::Mutex::new(TotalsState::default()) }
    }

    /// The filter's total, counted only when not known at this content epoch or too old. The key's
    /// time binds are the request's "now", so the key leaves them out; the epoch moves on when the
    /// next scheduled article goes live.
    fn get(&self, conn: &mut DbConn, filter: &ArticleFilter) -> Result<i64, ApiError> {
        if self.ttl.is_zero() {
            return Ok(filter.count(conn)?);
        }
        let key = ArticleFilter { now: NaiveDateTime::MIN, ..filter.clone() }.total_key();
        let epoch = match self.epoch.observe(filter.now) {
            Observed::Known(epoch) => {
                let Ok(state) = self.state.lock() else { return Ok(filter.count(conn)?) };
                let kept = state.entries.get(&key).filter(|(at, _)| state.epoch == epoch && at.elapsed() < self.ttl);
                if let Some((_, total)) = kept {
                    return Ok(*total);
                }
                epoch
            }
            Observed::Unknown(epoch) => {
                self.epoch.learn(epoch, repo::next_scheduled(conn, filter.now)?);
                epoch
            }
        };
        let total = filter.count(conn)?;
        if key.len() <= MAX_TOTAL_KEY_BYTES {
            if let Ok(mut state) = self.state.lock() {
                // A total counted before a write committed is not kept after it.
                if self.epoch.current() == epoch {
                    if state.epoch != epoch || state.entries.len() >= MAX_TOTALS {
                        state.entries.clear();
                        state.epoch = epoch;
                    }
                    state.entries.insert(key, (std::time::Instant::now(), total));
                }
            }
        }
        Ok(total)
    }
}

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
    let empty = || Ok(Paginated { data: Vec::new(), meta: page.meta(0) });
    let tree = Tree::load(conn)?;
    let categories = match query.category.as_deref() {
        Some(slug) => match categories::repo::find_by_key(conn, &ItemKey::Slug(slug.to_owned()))? {
            Some(category) => Some(tree.subtree(category.id)),
            None => return empty(),
        },
        None => None,
    };
    let author = match query.author.as_deref() {
        Some(slug) => match authors::repo::find_by_key(conn, &ItemKey::Slug(slug.to_owned()))? {
            Some(author) => Some(author.id),
            None => return empty(),
        },
        None => None,
    };
    let tag = match query.tag.as_deref() {
        Some(slug) => match tags::repo::find_by_key(conn, &ItemKey::Slug(slug.to_owned()))? {
            Some(tag) => Some(tag.id),
            None => return empty(),
        },
        None => None,
    };
    let search = match search {
        Some(Some(fts)) => Some(fts),
        // A phrase with no word in it matches nothing.
        Some(None) => return empty(),
        None => None,
    };
    let mut filter = ArticleFilter {
        scope,
        statuses: match statuses {
            StatusFilter::Only(list) => Some(list),
            StatusFilter::Visible | StatusFilter::Any => None,
        },
        categories,
        author,
        tag,
        search,
        sort,
        before: None,
        search_floor: None,
        now,
    };
    filter.limit_search(conn)?;
    let total = totals.get(conn, &filter)?;
    let ids = filter.page(conn, page.limit(), page.offset())?;
    Ok(Paginated { data: summaries_of(conn, &tree, &ids, tz, now)?, meta: page.meta(total) })
}

/// Summaries of the articles `ids` names, in that order.
pub fn summaries_of(
    conn: &mut DbConn,
    tree: &Tree,
    ids: &[ArticleId],
    tz: Tz,
    now: NaiveDateTime,
) -> Result<Vec<ArticleSummary>, ApiError> {
    let mut rows = repo::summaries_by_ids(conn, ids)?;
    let order: HashMap<_, _> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|row| order.get(&row.id).copied().unwrap_or(usize::MAX));
    summarize(conn, tree, &rows, tz, now)
}

/// Assembles summaries, in the order of `rows`, with three queries in all, whatever their number.
fn summarize(
    conn: &mut DbConn,
    tree: &Tree,
    rows: &[SummaryRow],
    tz: Tz,
    now: NaiveDateTime,
) -> Result<Vec<ArticleSummary>, ApiError> {
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let mut bylines: HashMap<_, Vec<_>> = HashMap::new();
    for (article, author) in repo::bylines_of(conn, &ids)? {
        bylines.entry(article).or_default().push(author);
    }
    let mut tags: HashMap<_, Vec<_>> = HashMap::new();
    for (article, tag) in repo::tags_of(conn, &ids)? {
        tags.entry(article).or_default().push(tag);
    }
    rows.iter()
        .map(|row| {
            let path = tree.path(row.category_id);
            let leaf = path
                .last()
                .cloned()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("article {} has no category", row.id)))?;
            Ok(ArticleSummary {
                id: row.id,
                slug: row.slug.clone(),
                title: row.title.clone(),
                excerpt: row.excerpt.clone(),
                body_format: row.body_format,
                cover_image: row.cover_url.clone().map(|url| CoverImage {
                    url,
                    caption: row.cover_caption.clone(),
                    credit: row.cover_credit.clone(),
                    alt: row.cover_alt.clone(),
                }),
                category: ArticleCategory { id: leaf.id, slug: leaf.slug, name: leaf.name, path },
                authors: bylines.remove(&row.id).unwrap_or_default(),
                tags: tags.remove(&row.id).unwrap_or_default(),
                status: row.status().effective(row.published_at, now),
                published_at: row.published_at,
                published_at_display: row.published_at.map(|at| display_date::display(&at, tz)),
                reading_time_minutes: row.reading_time_minutes,
                word_count: row.word_count,
                view_count: row.view_count,
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
            })
        })
        .collect()
}

fn full(conn: &mut DbConn, row: ArticleRow, tz: Tz, now: NaiveDateTime) -> Result<ArticleResponse, ApiError> {
    let tree = Tree::load(conn)?;
    let summary = summarize(conn, &tree, &[SummaryRow::from(&row)], tz, now)?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("article {} vanished", row.id)))?;
    Ok(ArticleResponse { summary, body: row.body, body_html: row.body_html })
}

/// An article as a write leaves it, before it is stored.
struct Draft {
    title: String,
    slug: Option<Slug>,
    custom_excerpt: Option<String>,
    body: String,
    body_format: BodyFormat,
    cover: Option<CoverImage>,
    category_id: CategoryId,
    status: ArticleStatus,
    published_at: Option<NaiveDateTime>,
}

fn check_cover(v: &mut Violations, cover: CoverImage) -> Option<CoverImage> {
    let url = v.check(http_url("cover_image.url", &cover.url));
    let mut text = |field: &str, value: Option<String>| {
        value.and_then(|t| v.check(optional_text(&format!("cover_image.{field}"), &t, COVER_TEXT_MAX)))
    };
    let caption = text("caption", cover.caption);
    let credit = text("credit", cover.credit);
    let alt = text("alt", cover.alt);
    url.map(|url| CoverImage { url, caption, credit, alt })
}

fn check_excerpt(v: &mut Violations, excerpt: String) -> Option<String> {
    // An empty excerpt asks for the derived one.
    v.check(optional_text("excerpt", &excerpt, EXCERPT_MAX)).filter(|e| !e.trim().is_empty())
}

fn check_authors(v: &mut Violations, ids: &[AuthorId]) {
    if ids.len() > MAX_AUTHORS {
        v.push(FieldError::new("author_ids", format!("at most {MAX_AUTHORS} bylines")));
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        v.push(FieldError::new("author_ids", "names an author twice"));
    }
}

fn check_body(v: &mut Violations, body: &str) -> Option<String> {
    v.check(optional_text("body", body, usize::MAX))
}

/// Renders the body of a write that passed every other check: before the write transaction, so a
/// slow body never holds the write lock, and bounded (see `body::render`), so none is slow for long.
fn render_body(draft: &Draft) -> Result<RenderedBody, ApiError> {
    body::render(&draft.body, draft.body_format).map_err(|e| FieldError::new("body", e.to_string()).into())
}

fn check_tags(v: &mut Violations, names: Vec<String>) -> Vec<String> {
    if names.len() > MAX_TAGS {
        v.push(FieldError::new("tags", format!("at most {MAX_TAGS} tags")));
        return Vec::new();
    }
    names
        .into_iter()
        .enumerate()
        .filter_map(|(i, name)| v.check(required_text(&format!("tags[{i}]"), &name, TAG_NAME_MAX)))
        .collect()
}

/// The rules that involve other rows: the category and the bylines must exist.
fn check_references(conn: &mut DbConn, category: CategoryId, authors: Option<&[AuthorId]>) -> Result<(), ApiError> {
    let mut v = Violations::new();
    if categories::repo::find_by_key(conn, &ItemKey::Id(category.0))?.is_none() {
        v.push(FieldError::new("category_id", format!("names no category ({category})")));
    }
    for (i, id) in authors.unwrap_or_default().iter().enumerate() {
        if !authors::repo::exists(conn, *id)? {
            v.push(FieldError::new(format!("author_ids[{i}]"), format!("names no author ({id})")));
        }
    }
    Ok(v.into_result()?)
}

/// 403 when a writer asks for a status only editors may set.
/// A publication time within years 1 to 9999: stored times compare as text, and feeds format
/// them as RFC 2822 and RFC 3339, which have four-digit years.
fn check_published_at(v: &mut Violations, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    let at = at.naive_utc();
    // chrono keeps a leap second as nanoseconds past 999,999,999; no stored time should carry one.
    if (1..=9999).contains(&at.year()) && at.nanosecond() < 1_000_000_000 {
        Some(at)
    } else {
        v.push(FieldError::new("published_at", "must be between 0001-01-01 and 9999-12-31 (UTC)"));
        None
    }
}

pub(crate) fn check_status_allowed(user: &AuthUser, status: ArticleStatus) -> Result<(), ApiError> {
    if status.open_to_writers() {
        Ok(())
    } else {
        user.require(Action::EditAnyArticle)
    }
}

fn slug_clash(e: diesel::result::Error) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::Conflict("another article has this slug".into())
    } else {
        e.into()
    }
}

/// The stored row of a draft and its rendered body, with the status and time fixed; also returns
/// the body's text for the search index.
fn fields(
    draft: &Draft,
    rendered: RenderedBody,
    slug: String,
    by: &AuthUser,
    now: NaiveDateTime,
) -> Result<(ArticleFields, String), ApiError> {
    if draft.status == ArticleStatus::Scheduled && draft.published_at.is_none() {
        return Err(FieldError::new("published_at", "is required to schedule an article").into());
    }
    let (status, published_at) = draft.status.resolve(draft.published_at, now);
    let fields = ArticleFields {
        slug,
        title: draft.title.clone(),
        excerpt: draft.custom_excerpt.clone().unwrap_or_else(|| body::derived_excerpt(&rendered.text)),
        custom_excerpt: draft.custom_excerpt.clone(),
        body: draft.body.clone(),
        body_format: draft.body_format,
        body_html: rendered.html,
        word_count: rendered.word_count,
        reading_time_minutes: rendered.reading_time_minutes,
        cover_url: draft.cover.as_ref().map(|c| c.url.clone()),
        cover_caption: draft.cover.as_ref().and_then(|c| c.caption.clone()),
        cover_credit: draft.cover.as_ref().and_then(|c| c.credit.clone()),
        cover_alt: draft.cover.as_ref().and_then(|c| c.alt.clone()),
        category_id: draft.category_id,
        status,
        published_at,
        updated_by: Some(by.id),
        updated_at: now,
    };
    Ok((fields, rendered.text))
}

/// A derived excerpt repeats the body's first words; indexing it again would count body words twice
/// and rank body-only matches too high, so only an editor's own excerpt is indexed.
fn index(conn: &mut DbConn, row: &ArticleRow, body_text: &str) -> Result<(), ApiError> {
    let excerpt = row.custom_excerpt.as_deref().unwrap_or("");
    Ok(repo::index_text(conn, row.id, &row.title, excerpt, body_text)?)
}

pub fn create(
    conn: &mut DbConn,
    user: &AuthUser,
    req: CreateArticleRequest,
    at: Moment,
) -> Result<ArticleResponse, ApiError> {
    let Moment { now, tz } = at;
    user.require(Action::WriteOwnDrafts)?;
    let status = req.status.unwrap_or(ArticleStatus::Draft);
    check_status_allowed(user, status)?;
    let mut v = Violations::new();
    let draft = Draft {
        title: v.check(required_text("title", &req.title, TITLE_MAX)).unwrap_or_default(),
        slug: req.slug.and_then(|s| v.check(Slug::parse("slug", &s))),
        custom_excerpt: req.excerpt.and_then(|e| check_excerpt(&mut v, e)),
        body: check_body(&mut v, &req.body).unwrap_or_default(),
        body_format: req.body_format.unwrap_or(BodyFormat::Markdown),
        cover: req.cover_image.and_then(|c| check_cover(&mut v, c)),
        category_id: req.category_id,
        status,
        published_at: req.published_at.and_then(|at| check_published_at(&mut v, at)),
    };
    let author_ids = req.author_ids.unwrap_or_default();
    check_authors(&mut v, &author_ids);
    let tag_names = check_tags(&mut v, req.tags.unwrap_or_default());
    v.into_result()?;
    let rendered = render_body(&draft)?;
    db::write(conn, |conn| {
        check_references(conn, draft.category_id, Some(&author_ids))?;
        let slug = match &draft.slug {
            Some(slug) if repo::slug_taken(conn, slug.as_str())? => {
                return Err(ApiError::Conflict("another article has this slug".into()))
            }
            Some(slug) => slug.clone(),
            None => Slug::generate(&draft.title, "article").first_free(|s| repo::slug_taken(conn, s))?,
        };
        let (fields, text) = fields(&draft, rendered, slug.into_string(), user, now)?;
        let row = repo::insert(conn, &fields, user.id, now).map_err(slug_clash)?;
        repo::set_bylines(conn, row.id, &author_ids)?;
        let tag_ids = tags::service::ensure_named(conn, &tag_names, now)?;
        repo::set_tags(conn, row.id, &tag_ids)?;
        index(conn, &row, &text)?;
        audit::record(conn, user, now, Audited::Create, Resource::Article, row.id.0, Some((None, Some(row.version))))?;
        full(conn, row, tz, now)
    })
}

/// 404 for what the caller may not see; 403 for what it sees but may not change. A writer's own
/// article is theirs to change until it is visible or an editor scheduled it: what an editor
/// approved for a time is what appears at that time.
fn check_may_edit(user: &AuthUser, row: &ArticleRow, now: NaiveDateTime) -> Result<(), ApiError> {
    if user.role.may(Action::EditAnyArticle) {
        return Ok(());
    }
    let own = row.created_by == Some(user.id);
    match (own, row.is_visible(now)) {
        (true, false) if row.status() == ArticleStatus::Scheduled => Err(ApiError::Forbidden),
        (true, false) => Ok(()),
        (_, true) => Err(ApiError::Forbidden),
        (false, false) => Err(ApiError::NotFound("article")),
    }
}

/// What a change body that did not parse still says, for the checks ranked before its 422.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnparsedChange {
    pub status: Option<ArticleStatus>,
    pub version: Option<i64>,
    /// Whether the body names `published_at` at all.
    pub published_at: bool,
}

/// A change that passed every check on its own fields, before it is rendered and stored.
struct Change {
    draft: Draft,
    author_ids: Option<Vec<AuthorId>>,
    tag_names: Option<Vec<String>>,
}

/// Changes an article in explicit phases: authorize and check the version on the article as read,
/// validate the change (one that changes nothing ends here, writing nothing), render its body (both outside the write transaction, so a slow body never
/// holds the write lock), then persist and audit in the transaction, on the version checked.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    key: &ItemKey,
    body: Result<UpdateArticleRequest, ApiError>,
    unparsed: UnparsedChange,
    if_match: Option<Precondition>,
    at: Moment,
) -> Result<ArticleResponse, ApiError> {
    let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("article"))?;
    let req = authorize_change(user, &current, body, unparsed, if_match, at.now)?;
    let change = validate_change(&current, req)?;
    if changes_nothing(conn, &current, &change, at.now)? {
        return full(conn, current, at.tz, at.now);
    }
    let rendered = render_body(&change.draft)?;
    db::write(conn, |conn| persist_change(conn, user, current, change, rendered, at))
}

/// Who may change what, and whether the change names the current version. The order is the
/// contract's: 404, 403, then 428/412, then the 422 of a body that did not parse.
fn authorize_change(
    user: &AuthUser,
    current: &ArticleRow,
    body: Result<UpdateArticleRequest, ApiError>,
    unparsed: UnparsedChange,
    if_match: Option<Precondition>,
    now: NaiveDateTime,
) -> Result<UpdateArticleRequest, ApiError> {
    check_may_edit(user, current, now)?;
    // A body that is JSON but not an article change is a 422, which the contract ranks after
    // the version checks (428, 412); a body that is not JSON at all (400, 415) ranks before them.
    let (req, invalid) = match body {
        Ok(req) => (Some(req), None),
        Err(ApiError::Validation(errors)) => (None, Some(errors)),
        Err(other) => return Err(other),
    };
    let status = req.as_ref().map_or(unparsed.status, |r| r.status.value().copied());
    if let Some(status) = status {
        check_status_allowed(user, status)?;
    }
    // Moving the time of a scheduled (or published, archived) article is scheduling, which
    // writers may not do even to their own article while it is not yet visible.
    let moves_time = req.as_ref().map_or(unparsed.published_at, |r| !r.published_at.is_absent());
    if moves_time && !current.status().open_to_writers() {
        user.require(Action::EditAnyArticle)?;
    }
    let body_version = req.as_ref().map_or(unparsed.version, |r| r.version).map(Precondition::Version);
    if_match.or(body_version).unwrap_or(Precondition::Missing).check(current.version)?;
    match (req, invalid) {
        (Some(req), None) => Ok(req),
        (_, errors) => Err(ApiError::Validation(errors.unwrap_or_default())),
    }
}

/// The article as the change leaves it, every field checked; each broken field is one entry of the 422.
fn validate_change(current: &ArticleRow, req: UpdateArticleRequest) -> Result<Change, ApiError> {
    let mut v = Violations::new();
    let current_cover = current_cover(current);
    let status = req.status.present("status", &mut v);
    let draft = Draft {
        title: match req.title.present("title", &mut v) {
            Some(t) => v.check(required_text("title", &t, TITLE_MAX)).unwrap_or_default(),
            None => current.title.clone(),
        },
        slug: req.slug.present("slug", &mut v).and_then(|s| v.check(Slug::parse("slug", &s))),
        custom_excerpt: match req.excerpt.nullable("excerpt", &mut v) {
            Some(Some(e)) => check_excerpt(&mut v, e),
            Some(None) => None,
            None => current.custom_excerpt.clone(),
        },
        body: match req.body.present("body", &mut v) {
            Some(b) => check_body(&mut v, &b).unwrap_or_default(),
            None => current.body.clone(),
        },
        body_format: req.body_format.present("body_format", &mut v).unwrap_or(current.body_format),
        cover: match req.cover_image.nullable("cover_image", &mut v) {
            Some(Some(c)) => check_cover(&mut v, c),
            Some(None) => None,
            None => current_cover,
        },
        category_id: req.category_id.present("category_id", &mut v).unwrap_or(current.category_id),
        status: status.unwrap_or(current.status()),
        published_at: match req.published_at.nullable("published_at", &mut v) {
            Some(at) => at.and_then(|at| check_published_at(&mut v, at)),
            // Publishing what was never published, without a time, is publishing now: a time a
            // writer left on a draft does not survive an editor's publish.
            None if publishes(current, status) => None,
            None => current.published_at,
        },
    };
    let author_ids = req.author_ids.present("author_ids", &mut v);
    if let Some(ids) = &author_ids {
        check_authors(&mut v, ids);
    }
    let tag_names = req.tags.present("tags", &mut v).map(|names| check_tags(&mut v, names));
    v.into_result()?;
    Ok(Change { draft, author_ids, tag_names })
}

fn current_cover(current: &ArticleRow) -> Option<CoverImage> {
    current.cover_url.clone().map(|url| CoverImage {
        url,
        caption: current.cover_caption.clone(),
        credit: current.cover_credit.clone(),
        alt: current.cover_alt.clone(),
    })
}

/// Whether a change leaves the article exactly as it is (every field, the bylines in order and
/// the set of tags): such a change writes nothing, so the version and `updated_at` stay.
fn changes_nothing(
    conn: &mut DbConn,
    current: &ArticleRow,
    change: &Change,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let draft = &change.draft;
    let (status, published_at) = draft.status.resolve(draft.published_at, now);
    let same_fields = draft.title == current.title
        && draft.slug.as_ref().is_none_or(|slug| slug.as_str() == current.slug)
        && draft.custom_excerpt == current.custom_excerpt
        && draft.body == current.body
        && draft.body_format == current.body_format
        && draft.cover == current_cover(current)
        && draft.category_id == current.category_id
        && status == current.status()
        // Times are shown (and so sent back) in whole seconds.
        && published_at.map(|at| at.trunc_subsecs(0)) == current.published_at.map(|at| at.trunc_subsecs(0));
    if !same_fields {
        return Ok(false);
    }
    if let Some(ids) = &change.author_ids {
        let bylines: Vec<AuthorId> = repo::bylines_of(conn, &[current.id])?.into_iter().map(|(_, a)| a.id).collect();
        if *ids != bylines {
            return Ok(false);
        }
    }
    if let Some(names) = &change.tag_names {
        // Tags are named case-insensitively (as `tags::service::ensure_named` finds them).
        let asked: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
        let held: HashSet<String> =
            repo::tags_of(conn, &[current.id])?.into_iter().map(|(_, t)| t.name.to_lowercase()).collect();
        if asked != held {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether a change asks to publish an article that was never published (a draft or one in review).
fn publishes(current: &ArticleRow, status: Option<ArticleStatus>) -> bool {
    status == Some(ArticleStatus::Published) && current.status().open_to_writers()
}

/// Stores a checked and rendered change, in the write transaction: the article must still be at
/// the version the change was checked against (412 otherwise), and the ids it names must exist.
fn persist_change(
    conn: &mut DbConn,
    user: &AuthUser,
    checked: ArticleRow,
    change: Change,
    rendered: RenderedBody,
    at: Moment,
) -> Result<ArticleResponse, ApiError> {
    let Moment { now, tz } = at;
    let current = repo::by_ids(conn, &[checked.id])?.pop().ok_or(ApiError::NotFound("article"))?;
    if current.version != checked.version {
        return Err(ApiError::PreconditionFailed);
    }
    let Change { draft, author_ids, tag_names } = change;
    check_references(conn, draft.category_id, author_ids.as_deref())?;
    let slug = match &draft.slug {
        Some(slug) if slug.as_str() == current.slug => current.slug.clone(),
        Some(slug) => {
            let ours = repo::redirect_target(conn, slug.as_str())? == Some(current.id);
            if !ours && repo::slug_taken(conn, slug.as_str())? {
                return Err(ApiError::Conflict("another article has this slug".into()));
            }
            repo::remove_redirect(conn, slug.as_str())?;
            // Readers may hold links to a published article: its old slug keeps answering.
            if current.is_visible(now) || current.status() == ArticleStatus::Archived {
                repo::add_redirect(conn, &current.slug, current.id)?;
            }
            slug.as_str().to_owned()
        }
        None => current.slug.clone(),
    };
    let (fields, text) = fields(&draft, rendered, slug, user, now)?;
    let row = repo::update(conn, current.id, current.version, &fields)
        .map_err(slug_clash)?
        .ok_or(ApiError::PreconditionFailed)?;
    if let Some(ids) = &author_ids {
        repo::set_bylines(conn, row.id, ids)?;
    }
    if let Some(names) = tag_names {
        let tag_ids = tags::service::ensure_named(conn, &names, now)?;
        repo::set_tags(conn, row.id, &tag_ids)?;
    }
    index(conn, &row, &text)?;
    audit::record(
        conn,
        user,
        now,
        Audited::Update,
        Resource::Article,
        row.id.0,
        Some((Some(current.version), Some(row.version))),
    )?;
    full(conn, row, tz, now)
}

pub fn delete(
    conn: &mut DbConn,
    user: &AuthUser,
    key: &ItemKey,
    if_match: Option<Precondition>,
    now: NaiveDateTime,
) -> Result<ArticleId, ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("article"))?;
        if !user.role.may(Action::EditAnyArticle) {
            return Err(if can_read(Some(user), &current, now) {
                ApiError::Forbidden
            } else {
                ApiError::NotFound("article")
            });
        }
        if_match.unwrap_or(Precondition::Missing).check(current.version)?;
        if repo::delete(conn, current.id, current.version)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        repo::unindex(conn, current.id)?;
        audit::record(
            conn,
            user,
            now,
            Audited::Delete,
            Resource::Article,
            current.id.0,
            Some((Some(current.version), None)),
        )?;
        Ok(current.id)
    })
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

    #[test]
    fn if_match_names_a_version() {
        assert_eq!(Precondition::from_if_match(None), None);
        assert_eq!(Precondition::from_if_match(Some("\"3\"")), Some(Precondition::Version(3)));
        assert_eq!(Precondition::from_if_match(Some("W/\"3\"")), Some(Precondition::Version(3)));
        assert_eq!(Precondition::from_if_match(Some("*")), Some(Precondition::Missing));
        assert_eq!(Precondition::from_if_match(Some("3")), Some(Precondition::Unmatchable));
        assert_eq!(Precondition::from_if_match(Some("\"03\"")), Some(Precondition::Unmatchable));
        assert_eq!(Precondition::from_if_match(Some("\"+3\"")), Some(Precondition::Unmatchable));
        assert_eq!(Precondition::from_if_match(Some("\"7\", \"1\"")), Some(Precondition::AnyOf(vec![7, 1])));
    }
}
