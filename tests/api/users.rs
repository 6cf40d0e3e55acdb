//! Account management under `/api/v1/users`: admin only.

use serde_json::json;

use crate::helpers::{TestApp, ADMIN_EMAIL, PASSWORD};

#[actix_web::test]
async fn an_admin_creates_reads_updates_and_deletes_an_account() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let author = app.create_author(&admin, json!({"name": "Reni Erina"})).await;
    let created = app
        .post(
            Some(&admin),
            "/api/v1/users",
            &json!({"email": "reni@warta.test", "name": "Reni Erina", "role": "writer", "password": PASSWORD,
                "author_id": author["id"]}),
        )
        .await;
    created.assert_status(201);
    let user = created.json();
    let id = user["id"].as_i64().expect("id");
    assert_eq!(created.header("location"), Some(format!("/api/v1/users/{id}")));
    assert_eq!(user["email"], "reni@warta.test");
    assert_eq!(user["role"], "writer");
    assert_eq!(user["author_id"], author["id"]);
    assert!(user["last_login_at"].is_null());
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());

    let fetched = app.get_as(&admin, &format!("/api/v1/users/{id}")).await;
    fetched.assert_status(200);
    assert_eq!(fetched.json(), user);

    let updated = app
        .patch(
            Some(&admin),
            &format!("/api/v1/users/{id}"),
            &json!({"name": "Reni E.", "role": "editor", "author_id": null}),
        )
        .await;
    updated.assert_status(200);
    assert_eq!(updated.json()["name"], "Reni E.");
    assert_eq!(updated.json()["role"], "editor");
    assert!(updated.json()["author_id"].is_null());
    assert_eq!(updated.json()["email"], "reni@warta.test");

    let list = app.get_as(&admin, "/api/v1/users?per_page=1").await;
    list.assert_status(200);
    assert_eq!(list.json()["meta"], json!({"page": 1, "per_page": 1, "total": 2, "total_pages": 2}));
    assert_eq!(list.json()["data"].as_array().map(Vec::len), Some(1));
    assert!(list.header("link").is_some_and(|l| l.contains("rel=\"next\"")));

    app.delete(Some(&admin), &format!("/api/v1/users/{id}")).await.assert_status(204);
    app.get_as(&admin, &format!("/api/v1/users/{id}")).await.assert_problem(404);
    app.login("reni@warta.test", PASSWORD).await.assert_problem(401);
}

#[actix_web::test]
async fn a_new_password_ends_the_accounts_logins() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, _) = app.user_with_token("writer").await;
    let email =
        app.get_as(&admin, &format!("/api/v1/users/{id}")).await.json()["email"].as_str().expect("email").to_owned();
    let login = app.login(&email, PASSWORD).await.json();
    app.patch(Some(&admin), &format!("/api/v1/users/{id}"), &json!({"password": "another long passphrase"}))
        .await
        .assert_status(200);
    app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": login["refresh_token"]})).await.assert_problem(401);
    app.login(&email, "another long passphrase").await.assert_status(200);
}

#[actix_web::test]
async fn emails_are_unique_whatever_their_case() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({"email": ADMIN_EMAIL.to_uppercase(), "name": "Twin", "role": "editor", "password": PASSWORD});
    app.post(Some(&admin), "/api/v1/users", &body).await.assert_problem(409);
    let (id, _) = app.user_with_token("writer").await;
    app.patch(Some(&admin), &format!("/api/v1/users/{id}"), &json!({"email": ADMIN_EMAIL})).await.assert_problem(409);
}

#[actix_web::test]
async fn invalid_accounts_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cases = [
        (json!({"email": "not-an-email", "name": "A", "role": "writer", "password": PASSWORD}), vec!["email"]),
        (json!({"email": "a@warta.test", "name": " ", "role": "writer", "password": PASSWORD}), vec!["name"]),
        (json!({"email": "a@warta.test", "name": "A", "role": "owner", "password": PASSWORD}), vec!["role"]),
        (json!({"email": "a@warta.test", "name": "A", "role": "writer", "password": "ééééééééé"}), vec!["password"]),
        (json!({"email": "a@warta.test", "name": "A", "role": "writer"}), vec!["password"]),
        (
            json!({"email": "a@warta.test", "name": "A", "role": "writer", "password": PASSWORD, "author_id": 999}),
            vec!["author_id"],
        ),
        (json!({"email": "bad", "name": "", "role": "writer", "password": "short"}), vec!["email", "name", "password"]),
    ];
    for (body, fields) in cases {
        let response = app.post(Some(&admin), "/api/v1/users", &body).await;
        assert_eq!(response.error_fields(), fields, "{body}");
    }
    let list = app.get_as(&admin, "/api/v1/users").await.json();
    assert_eq!(list["meta"]["total"], 1, "nothing was created");
    // Ten Unicode scalar values are enough, however many bytes they take.
    let ok = json!({"email": "b@warta.test", "name": "B", "role": "writer", "password": "éééééééééé"});
    app.post(Some(&admin), "/api/v1/users", &ok).await.assert_status(201);
}

#[actix_web::test]
async fn the_last_admin_cannot_be_deleted_or_demoted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let me = app.get_as(&admin, "/api/v1/auth/me").await.json()["id"].as_i64().expect("id");
    app.delete(Some(&admin), &format!("/api/v1/users/{me}")).await.assert_problem(409);
    app.patch(Some(&admin), &format!("/api/v1/users/{me}"), &json!({"role": "editor"})).await.assert_problem(409);
    assert_eq!(app.get_as(&admin, "/api/v1/auth/me").await.json()["role"], "admin");

    let (_, second_admin) = app.user_with_token("admin").await;
    app.patch(Some(&admin), &format!("/api/v1/users/{me}"), &json!({"role": "editor"})).await.assert_status(200);
    // The first admin is an editor now and may no longer manage accounts; the second one is the last admin.
    app.get_as(&admin, "/api/v1/users").await.assert_problem(403);
    let second_id = app.get_as(&second_admin, "/api/v1/auth/me").await.json()["id"].as_i64().expect("id");
    app.delete(Some(&second_admin), &format!("/api/v1/users/{second_id}")).await.assert_problem(409);
}

#[actix_web::test]
async fn non_admins_get_403_on_every_users_path_whatever_the_id() {
    let app = TestApp::spawn().await;
    for role in ["writer", "editor"] {
        let token = app.token_for(role).await;
        let body = json!({"email": "x@warta.test", "name": "X", "role": "writer", "password": PASSWORD});
        let attempts = [
            app.get_as(&token, "/api/v1/users").await,
            app.post(Some(&token), "/api/v1/users", &body).await,
            app.get_as(&token, "/api/v1/users/1").await,
            app.get_as(&token, "/api/v1/users/999").await,
            app.get_as(&token, "/api/v1/users/not-an-id").await,
            app.patch(Some(&token), "/api/v1/users/999", &json!({"name": "Y"})).await,
            app.delete(Some(&token), "/api/v1/users/1").await,
            app.delete(Some(&token), "/api/v1/users/999").await,
        ];
        for response in attempts {
            response.assert_problem(403);
        }
    }
}

#[actix_web::test]
async fn unknown_users_are_404_to_an_admin() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for path in ["/api/v1/users/999", "/api/v1/users/reni", "/api/v1/users/99999999999999999999", "/api/v1/users/0"] {
        app.get_as(&admin, path).await.assert_problem(404);
        app.patch(Some(&admin), path, &json!({"name": "X"})).await.assert_problem(404);
        app.delete(Some(&admin), path).await.assert_problem(404);
    }
}

/// A 422 names every broken field at once, `null` included, on create and on update.
#[actix_web::test]
async fn every_broken_field_is_named_and_null_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let empty = app.post(Some(&admin), "/api/v1/users", &json!({})).await;
    assert_eq!(empty.error_fields(), ["email", "name", "role", "password"]);
    let mistyped = json!({"email": 1, "name": null, "role": "owner", "password": ["x"], "author_id": "3"});
    assert_eq!(
        app.post(Some(&admin), "/api/v1/users", &mistyped).await.error_fields(),
        ["email", "name", "role", "password", "author_id"]
    );
    // `author_id: null` on create is "no byline".
    let email = format!("nobyline-{}@warta.test", crate::helpers::unique());
    let body = json!({"email": email, "name": "N", "role": "writer", "password": PASSWORD, "author_id": null});
    app.post(Some(&admin), "/api/v1/users", &body).await.assert_status(201);

    let (id, _) = app.user_with_token("writer").await;
    let path = format!("/api/v1/users/{id}");
    let before = app.get_as(&admin, &path).await.json();
    let nulls = json!({"email": null, "name": null, "role": null, "password": null});
    assert_eq!(app.patch(Some(&admin), &path, &nulls).await.error_fields(), ["email", "name", "role", "password"]);
    let mistyped = json!({"email": "nope", "name": 5, "role": "boss", "password": "short", "author_id": "x"});
    assert_eq!(
        app.patch(Some(&admin), &path, &mistyped).await.error_fields(),
        ["email", "name", "role", "password", "author_id"]
    );
    assert_eq!(app.get_as(&admin, &path).await.json(), before, "nothing changed");
}

/// A PATCH that changes nothing (empty, or only the stored values) is 200 with the account as it
/// is, and leaves no audit entry.
#[actix_web::test]
async fn a_patch_that_changes_nothing_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, _) = app.user_with_token("writer").await;
    let path = format!("/api/v1/users/{id}");
    let account = app.get_as(&admin, &path).await.json();
    let audit_total = || async { app.get_as(&admin, "/api/v1/audit").await.json()["meta"]["total"].clone() };
    let entries = audit_total().await;
    let same = json!({"email": account["email"], "name": account["name"], "role": account["role"], "author_id": null});
    for body in [json!({}), same] {
        let answer = app.patch(Some(&admin), &path, &body).await;
        answer.assert_status(200);
        assert_eq!(answer.json(), account, "{body}");
    }
    assert_eq!(audit_total().await, entries, "no audit entry for a change that changes nothing");
    app.patch(Some(&admin), &path, &json!({"name": "Changed"})).await.assert_status(200);
    assert_eq!(audit_total().await, entries.as_i64().expect("total") + 1);
}
