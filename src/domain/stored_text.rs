//! Enums stored as TEXT columns: each is written as its `as_str()` spelling and read back through
//! its `parse`. Generic over the backend, so a PostgreSQL backend gets the same types for free.
//! An unknown value read from the database is a deserialization error (a 500), never a default:
//! the columns have CHECK constraints and only this code writes them, so one would mean corruption.

/// Implements `ToSql<Text, DB>` and `FromSql<Text, DB>` for an enum with `as_str(self) -> &'static
/// str` and `parse(&str) -> Option<Self>`. The enum itself derives `AsExpression` and
/// `FromSqlRow` with `#[diesel(sql_type = diesel::sql_types::Text)]`.
macro_rules! stored_as_text {
    ($type:ty, $what:literal) => {
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $type
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $type
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let raw = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                <$type>::parse(&raw)
                    .ok_or_else(|| format!(concat!("unknown ", $what, " {:?} in the database"), raw).into())
            }
        }
    };
}

pub(crate) use stored_as_text;

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use crate::db::tests::memory_conn;
    use crate::domain::article_status::ArticleStatus;
    use crate::domain::body::BodyFormat;
    use crate::domain::role::Role;

    #[test]
    fn stored_enums_round_trip_through_text() {
        let conn = &mut memory_conn();
        for status in ArticleStatus::ALL {
            let read: ArticleStatus = diesel::select(status.into_sql::<Text>()).get_result(conn).expect("status");
            assert_eq!(read, status);
        }
        for role in [Role::Writer, Role::Editor, Role::Admin] {
            let read: Role = diesel::select(role.into_sql::<Text>()).get_result(conn).expect("role");
            assert_eq!(read, role);
        }
        for format in [BodyFormat::Markdown, BodyFormat::Html] {
            let read: BodyFormat = diesel::select(format.into_sql::<Text>()).get_result(conn).expect("format");
            assert_eq!(read, format);
        }
    }

    #[test]
    fn an_unknown_stored_value_is_an_error_not_a_default() {
        let conn = &mut memory_conn();
        let bogus = || diesel::select("Published".into_sql::<Text>());
        assert!(bogus().get_result::<ArticleStatus>(conn).is_err());
        assert!(bogus().get_result::<Role>(conn).is_err());
        assert!(bogus().get_result::<BodyFormat>(conn).is_err());
    }
}
