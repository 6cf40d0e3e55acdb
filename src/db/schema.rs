// The Diesel view of `migrations/`, kept in step with them by hand (there is no diesel_cli on a
// fresh machine); `db::tests::schema_matches_the_migrations` fails when the two drift apart.

diesel::table! {
    authors (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        title -> Nullable<Text>,
        bio -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        email_key -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        author_id -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        family -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        spent_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Integer,
        email_key -> Text,
        client_addr -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        description -> Text,
        parent_id -> Nullable<Integer>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tags (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        name_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(users -> authors (author_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(authors, users, refresh_tokens, login_failures, categories, tags);
