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
        token_epoch -> Integer,
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

diesel::table! {
    articles (id) {
        id -> Integer,
        slug -> Text,
        title -> Text,
        custom_excerpt -> Nullable<Text>,
        excerpt -> Text,
        body -> Text,
        body_format -> Text,
        body_html -> Text,
        word_count -> Integer,
        reading_time_minutes -> Integer,
        cover_url -> Nullable<Text>,
        cover_caption -> Nullable<Text>,
        cover_credit -> Nullable<Text>,
        cover_alt -> Nullable<Text>,
        category_id -> Integer,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        view_count -> BigInt,
        version -> Integer,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        cover_media_id -> Nullable<Integer>,
        cover_media -> Nullable<Text>,
    }
}

diesel::table! {
    media (id) {
        id -> Integer,
        sha256 -> Text,
        bytes -> BigInt,
        filename -> Text,
        mime_type -> Text,
        width -> Integer,
        height -> Integer,
        file_key -> Text,
        variants -> Text,
        placeholder -> Text,
        alt -> Nullable<Text>,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        focal_x -> Nullable<Double>,
        focal_y -> Nullable<Double>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_media (article_id, media_id) {
        article_id -> Integer,
        media_id -> Integer,
    }
}

diesel::joinable!(media -> users (created_by));
diesel::joinable!(article_media -> articles (article_id));
diesel::joinable!(article_media -> media (media_id));
diesel::joinable!(articles -> media (cover_media_id));

diesel::table! {
    article_authors (article_id, author_id) {
        article_id -> Integer,
        author_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> Integer,
        tag_id -> Integer,
    }
}

diesel::table! {
    article_slug_redirects (slug) {
        slug -> Text,
        article_id -> Integer,
    }
}

diesel::joinable!(articles -> categories (category_id));
diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_authors -> authors (author_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(article_slug_redirects -> articles (article_id));

diesel::table! {
    article_views (hour, article_id) {
        hour -> BigInt,
        article_id -> Integer,
        views -> BigInt,
    }
}

diesel::joinable!(article_views -> articles (article_id));
diesel::joinable!(trending_totals -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_log,
    articles,
    article_media,
    media,
    article_views,
    article_authors,
    article_tags,
    article_slug_redirects,
    authors,
    categories,
    login_failures,
    refresh_tokens,
    tags,
    users
);

// The full-text index (an FTS5 virtual table, rowid = articles.id), declared so that bulk loads can
// insert into it with Diesel's batch inserts.
diesel::table! {
    articles_fts (rowid) {
        rowid -> Integer,
        title -> Text,
        excerpt -> Text,
        body -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        user_id -> Nullable<Integer>,
        user_email -> Text,
        action -> Text,
        resource -> Text,
        resource_id -> Integer,
        article_id -> Nullable<Integer>,
        version_before -> Nullable<Integer>,
        version_after -> Nullable<Integer>,
    }
}

diesel::table! {
    content_changes (id) {
        id -> Integer,
        counter -> BigInt,
        changed_at -> BigInt,
    }
}

diesel::table! {
    view_claims (claim) {
        claim -> BigInt,
        since -> BigInt,
        reads -> Integer,
    }
}

diesel::table! {
    trending_totals (window_hours, article_id) {
        window_hours -> Integer,
        article_id -> Integer,
        views -> BigInt,
    }
}

diesel::table! {
    trending_state (id) {
        id -> Integer,
        hour -> BigInt,
    }
}
