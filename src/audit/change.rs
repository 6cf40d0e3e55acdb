//! What an audit entry records a write as: what it did (`Change`) to what kind of thing
//! (`Resource`). Stored as TEXT, in the spelling the API shows.

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::Serialize;

use crate::domain::stored_text::stored_as_text;

/// What a write did to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Create,
    Update,
    Delete,
}

stored_as_text!(Change, "audit action");

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Create => "create",
            Change::Update => "update",
            Change::Delete => "delete",
        }
    }

    pub fn parse(raw: &str) -> Option<Change> {
        [Change::Create, Change::Update, Change::Delete].into_iter().find(|c| c.as_str() == raw)
    }
}

/// What kind of thing a write changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    Article,
    Category,
    Author,
    Tag,
    User,
    Media,
}

stored_as_text!(Resource, "audit resource");

impl Resource {
    const ALL: [Resource; 6] =
        [Resource::Article, Resource::Category, Resource::Author, Resource::Tag, Resource::User, Resource::Media];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Article => "article",
            Resource::Category => "category",
            Resource::Author => "author",
            Resource::Tag => "tag",
            Resource::User => "user",
            Resource::Media => "media",
        }
    }

    pub fn parse(raw: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_and_resources_round_trip_through_text() {
        for change in [Change::Create, Change::Update, Change::Delete] {
            assert_eq!(Change::parse(change.as_str()), Some(change));
        }
        for resource in Resource::ALL {
            assert_eq!(Resource::parse(resource.as_str()), Some(resource));
        }
        assert_eq!(Resource::parse("Article"), None);
    }
}
