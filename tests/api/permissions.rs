//! The permission matrix of the contract, as a table: every role and anonymous against every write.

use serde_json::{json, Value};

use crate::helpers::{unique, TestApp, PASSWORD};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    Anonymous,
    Writer,
    Editor,
    Admin,
}

#[derive(Clone, Copy, Debug)]
enum Write {
    CreateCategory,
    UpdateCategory,
    DeleteCategory,
    CreateAuthor,
    UpdateAuthor,
    DeleteAuthor,
    CreateTag,
    UpdateTag,
    DeleteTag,
    CreateUser,
    UpdateUser,
    DeleteUser,
}

impl Write {
    /// The least role the contract lets do this, and the status a success answers with.
    fn rule(self) -> (Caller, u16) {
        use Write::*;
        match self {
            CreateCategory | CreateAuthor | CreateTag => (Caller::Editor, 201),
            UpdateCategory | UpdateAuthor | UpdateTag => (Caller::Editor, 200),
            DeleteCategory | DeleteAuthor | DeleteTag => (Caller::Editor, 204),
            CreateUser => (Caller::Admin, 201),
            UpdateUser => (Caller::Admin, 200),
            DeleteUser => (Caller::Admin, 204),
        }
    }
}

/// Makes a fresh target for the write as admin, then attempts it as the caller.
async fn attempt(app: &TestApp, admin: &str, token: Option<&str>, write: Write) -> u16 {
    let n = unique();
    let target = |resource: &'static str, body: Value| async move {
        let created = app.post(Some(admin), &format!("/api/v1/{resource}"), &body).await;
        created.assert_status(201);
        format!("/api/v1/{resource}/{}", created.json()["id"])
    };
    let user_body = json!({"email": format!("u{n}@warta.test"), "name": "U", "role": "writer", "password": PASSWORD});
    let response = match write {
        Write::CreateCategory => app.post(token, "/api/v1/categories", &json!({"name": format!("Kategori {n}")})).await,
        Write::UpdateCategory => {
            let path = target("categories", json!({"name": format!("Kategori {n}")})).await;
            app.patch(token, &path, &json!({"name": "Baru"})).await
        }
        Write::DeleteCategory => {
            let path = target("categories", json!({"name": format!("Kategori {n}")})).await;
            app.delete(token, &path).await
        }
        Write::CreateAuthor => app.post(token, "/api/v1/authors", &json!({"name": format!("Penulis {n}")})).await,
        Write::UpdateAuthor => {
            let path = target("authors", json!({"name": format!("Penulis {n}")})).await;
            app.patch(token, &path, &json!({"title": "Redaktur"})).await
        }
        Write::DeleteAuthor => {
            let path = target("authors", json!({"name": format!("Penulis {n}")})).await;
            app.delete(token, &path).await
        }
        Write::CreateTag => app.post(token, "/api/v1/tags", &json!({"name": format!("Tag {n}")})).await,
        Write::UpdateTag => {
            let path = target("tags", json!({"name": format!("Tag {n}")})).await;
            app.patch(token, &path, &json!({"name": format!("Tag baru {n}")})).await
        }
        Write::DeleteTag => {
            let path = target("tags", json!({"name": format!("Tag {n}")})).await;
            app.delete(token, &path).await
        }
        Write::CreateUser => app.post(token, "/api/v1/users", &user_body).await,
        Write::UpdateUser => {
            let path = target("users", user_body).await;
            app.patch(token, &path, &json!({"name": "V"})).await
        }
        Write::DeleteUser => {
            let path = target("users", user_body).await;
            app.delete(token, &path).await
        }
    };
    response.status
}

#[actix_web::test]
async fn every_role_gets_exactly_what_the_matrix_allows() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let callers = [
        (Caller::Anonymous, None),
        (Caller::Writer, Some(app.token_for("writer").await)),
        (Caller::Editor, Some(app.token_for("editor").await)),
        (Caller::Admin, Some(admin.clone())),
    ];
    use Write::*;
    let writes = [
        CreateCategory,
        UpdateCategory,
        DeleteCategory,
        CreateAuthor,
        UpdateAuthor,
        DeleteAuthor,
        CreateTag,
        UpdateTag,
        DeleteTag,
        CreateUser,
        UpdateUser,
        DeleteUser,
    ];
    let mut mismatches = Vec::new();
    for write in writes {
        let (least, success) = write.rule();
        for (caller, token) in &callers {
            let expected = match caller {
                Caller::Anonymous => 401,
                c if *c < least => 403,
                _ => success,
            };
            let got = attempt(&app, &admin, token.as_deref(), write).await;
            if got != expected {
                mismatches.push(format!("{write:?} as {caller:?}: expected {expected}, got {got}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[actix_web::test]
async fn reads_of_public_content_need_no_login() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let category = app.create_category(&admin, json!({"name": "Berita"})).await;
    app.create_author(&admin, json!({"name": "Reni Erina"})).await;
    // Readers see a tag once a visible article names it.
    let article = json!({"title": "Pemilu", "body": "Isi.", "category_id": category["id"], "tags": ["Pemilu"],
        "status": "published"});
    app.create_article(&admin, article).await;
    for path in [
        "/api/v1/categories",
        "/api/v1/categories/berita",
        "/api/v1/authors",
        "/api/v1/authors/reni-erina",
        "/api/v1/tags",
        "/api/v1/tags/pemilu",
    ] {
        app.get(path).await.assert_status(200);
    }
}
