//! Typed ids, so an author id can never be passed where a category id is expected.

use diesel_derive_newtype::DieselNewType;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

macro_rules! id_type {
    ($(#[doc = $doc:literal])* $name:ident) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, DieselNewType)]
        #[serde(transparent)]
        pub struct $name(pub i32);

        // Written out because the derive cannot put `minimum` on a newtype: ids start at 1.
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                    .minimum(Some(1))
                    .description(Some(concat!($($doc),*).trim()))
                    .examples([1])
                    .into()
            }
        }

        impl ToSchema for $name {}

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
id_type!(
    /// A media library item's id.
    MediaId
);
