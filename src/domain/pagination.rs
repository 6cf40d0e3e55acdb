//! Page pagination for lists: `page`/`per_page` parsing with the contract's 400-versus-422 split,
//! the `{data, meta}` envelope, and the RFC 8288 `Link` header.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::domain::validation::FieldError;

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// A query parameter that is wrong: `Malformed` does not parse as its type (400), `Invalid` parses
/// but breaks a rule (422).
#[derive(Debug, PartialEq, Eq)]
pub enum ParamError {
    Malformed { param: String, message: String },
    Invalid(FieldError),
}

/// Parses an optional integer query parameter. Text that is not a signed 64-bit integer is malformed.
pub fn int_param(name: &str, raw: Option<&str>) -> Result<Option<i64>, ParamError> {
    raw.map(|v| {
        v.parse::<i64>().map_err(|_| ParamError::Malformed {
            param: name.to_owned(),
            message: format!("query parameter `{name}` must be an integer"),
        })
    })
    .transpose()
}

/// Paging parameters as they arrive in the query string, before parsing.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
}

/// Validated paging parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParams {
    pub page: i64,
    pub per_page: i64,
}

impl PageParams {
    pub fn parse(query: &PageQuery) -> Result<PageParams, ParamError> {
        let page = int_param("page", query.page.as_deref())?.unwrap_or(1);
        let per_page = int_param("per_page", query.per_page.as_deref())?.unwrap_or(DEFAULT_PER_PAGE);
        if page < 1 {
            return Err(ParamError::Invalid(FieldError::new("page", "must be at least 1")));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ParamError::Invalid(FieldError::new(
                "per_page",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            )));
        }
        Ok(PageParams { page, per_page })
    }

    pub fn limit(&self) -> i64 {
        self.per_page
    }

    /// Saturates instead of overflowing: a page far past the end is simply empty.
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    pub fn meta(&self, total: i64) -> PageMeta {
        PageMeta {
            page: self.page,
            per_page: self.per_page,
            total,
            total_pages: (total + self.per_page - 1) / self.per_page,
        }
    }
}

/// Where a page sits in the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct PageMeta {
    #[schema(example = 1)]
    pub page: i64,
    #[schema(example = 20)]
    pub per_page: i64,
    /// Items in the whole list.
    #[schema(example = 135)]
    pub total: i64,
    #[schema(example = 7)]
    pub total_pages: i64,
}

impl PageMeta {
    /// The `Link` header value (RFC 8288) for this page: `first`, `prev`, `next`, `last` as they
    /// apply. `path` is the request path and `other_params` the query minus paging, already encoded.
    pub fn link_header(&self, path: &str, other_params: &[(String, String)]) -> Option<String> {
        let url = |page: i64| {
            let mut pairs: Vec<(String, String)> = other_params.to_vec();
            pairs.push(("page".into(), page.to_string()));
            pairs.push(("per_page".into(), self.per_page.to_string()));
            let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            format!("<{path}?{query}>")
        };
        let last = self.total_pages.max(1);
        let mut links = vec![format!("{}; rel=\"first\"", url(1))];
        if self.page > 1 {
            links.push(format!("{}; rel=\"prev\"", url((self.page - 1).min(last))));
        }
        if self.page < self.total_pages {
            links.push(format!("{}; rel=\"next\"", url(self.page + 1)));
        }
        links.push(format!("{}; rel=\"last\"", url(last)));
        Some(links.join(", "))
    }
}

/// A page of a list, exactly as the contract's envelope.
#[derive(Debug, Serialize)]
pub struct Paginated<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

// Written by hand because utoipa's derive (5.5) inlines a copy of `T` into every `Paginated_T`, and
// code generators then make a second class for the same item. Here the items are a `$ref` to `T`.
// The path macros build a generic body through `ComposeSchema` (the trait the derive implements,
// which also gives `PartialSchema`), handing it `T`'s inline schema, which is ignored; they name the
// component `Paginated_T` from `name()` and the type argument.
impl<T: ToSchema> utoipa::__dev::ComposeSchema for Paginated<T> {
    fn compose(_inline_type_arguments: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some("A page of a list, exactly as the contract's envelope."))
            .property("data", ArrayBuilder::new().items(Ref::from_schema_name(T::name())))
            .required("data")
            .property("meta", Ref::from_schema_name(PageMeta::name()))
            .required("meta")
            .into()
    }
}

impl<T: ToSchema> ToSchema for Paginated<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Paginated")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
        schemas.push((PageMeta::name().into_owned(), PageMeta::schema()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(page: Option<&str>, per_page: Option<&str>) -> PageQuery {
        PageQuery { page: page.map(Into::into), per_page: per_page.map(Into::into) }
    }

    #[test]
    fn malformed_and_out_of_range_are_told_apart() {
        let malformed =
            [(Some("abc"), None), (Some("1.5"), None), (None, Some("99999999999999999999")), (Some(""), None)];
        for (page, per_page) in malformed {
            assert!(
                matches!(PageParams::parse(&query(page, per_page)), Err(ParamError::Malformed { .. })),
                "{page:?} {per_page:?}"
            );
        }
        let invalid = [(Some("0"), None), (Some("-1"), None), (None, Some("1000")), (None, Some("0"))];
        for (page, per_page) in invalid {
            assert!(
                matches!(PageParams::parse(&query(page, per_page)), Err(ParamError::Invalid(_))),
                "{page:?} {per_page:?}"
            );
        }
        assert_eq!(PageParams::parse(&query(None, None)), Ok(PageParams { page: 1, per_page: 20 }));
    }

    #[test]
    fn huge_pages_do_not_overflow() {
        let params = PageParams { page: i64::MAX, per_page: 100 };
        assert_eq!(params.offset(), i64::MAX);
    }

    #[test]
    fn links_name_neighbouring_pages() {
        let meta = PageParams { page: 2, per_page: 10 }.meta(35);
        assert_eq!(meta.total_pages, 4);
        let link = meta.link_header("/api/v1/authors", &[("q".into(), "a b".into())]).expect("link");
        assert!(link.contains("</api/v1/authors?q=a+b&page=3&per_page=10>; rel=\"next\""), "{link}");
        assert!(link.contains("page=1&per_page=10>; rel=\"prev\""), "{link}");
    }
}
