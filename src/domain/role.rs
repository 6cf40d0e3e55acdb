//! Roles and the permission matrix of the contract, in one readable place.

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::stored_text::stored_as_text;

/// What a user may do. Ordered: every role may do what the roles below it may.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Writer,
    Editor,
    Admin,
}

stored_as_text!(Role, "role");

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Writer => "writer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        match raw {
            "writer" => Some(Role::Writer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The permission matrix of `API.md`: the single answer to "may this role do that?".
    pub fn may(self, action: Action) -> bool {
        self >= action.minimum_role()
    }
}

/// Everything the permission matrix distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create articles as drafts or for review, edit their own unpublished ones, create tags by naming them.
    WriteOwnDrafts,
    /// Publish, schedule, archive; edit and delete any article.
    EditAnyArticle,
    /// Create, edit and delete categories, authors and tags.
    ManageTaxonomy,
    /// Manage user accounts and read the audit log.
    ManageUsers,
}

impl Action {
    fn minimum_role(self) -> Role {
        match self {
            Action::WriteOwnDrafts => Role::Writer,
            Action::EditAnyArticle | Action::ManageTaxonomy => Role::Editor,
            Action::ManageUsers => Role::Admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_matches_the_contract() {
        use Action::*;
        let table = [
            (Role::Writer, [true, false, false, false]),
            (Role::Editor, [true, true, true, false]),
            (Role::Admin, [true, true, true, true]),
        ];
        for (role, expected) in table {
            let got = [WriteOwnDrafts, EditAnyArticle, ManageTaxonomy, ManageUsers].map(|a| role.may(a));
            assert_eq!(got, expected, "{role:?}");
        }
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in [Role::Writer, Role::Editor, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
    }
}
