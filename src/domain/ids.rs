//! Typed ids, so an author id can never be passed where a category id is expected.

use diesel_derive_newtype::DieselNewType;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, DieselNewType, ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = i32, example = 1)]
        pub struct $name(pub i32);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A user account's id.
    UserId
);
id_type!(
    /// A category's id.
    CategoryId
);
id_type!(
    /// An author's (byline's) id.
    AuthorId
);
id_type!(
    /// A tag's id.
    TagId
);
id_type!(
    /// An article's id.
    ArticleId
);
