//! Black-box tests of the media library: uploads of each accepted type, what is stripped from the
//! files (EXIF, GPS, orientation applied), every refusal storing nothing, dedupe, roles, and the
//! files' HTTP headers. Fixtures are made here, in code.

use actix_web::http::Method;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

const MEDIA: &str = "/api/v1/media";
const BOUNDARY: &str = "warta-test-boundary-7d1f";

/// One part of a form: name, file name (for a file), bytes.
struct Part<'a> {
    name: &'a str,
    filename: Option<&'a str>,
    bytes: Vec<u8>,
}

fn file(filename: &str, bytes: Vec<u8>) -> Part<'_> {
    Part { name: "file", filename: Some(filename), bytes }
}

fn text<'a>(name: &'a str, value: &str) -> Part<'a> {
    Part { name, filename: None, bytes: value.as_bytes().to_vec() }
}

fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part.filename {
            Some(filename) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                    part.name
                )
                .as_bytes(),
            ),
            None => body
                .extend_from_slice(format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", part.name).as_bytes()),
        }
        body.extend_from_slice(&part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Uploads a generated JPEG of this size (each size a different picture), with these form fields.
pub async fn upload_picture(
    app: &TestApp,
    token: &str,
    width: u32,
    height: u32,
    fields: &[(&str, &str)],
) -> TestResponse {
    let mut parts = vec![file("foto.jpg", encoded(&picture(width, height), ImageFormat::Jpeg))];
    parts.extend(fields.iter().map(|(name, value)| text(name, value)));
    upload(app, token, &parts).await
}

async fn upload(app: &TestApp, token: &str, parts: &[Part<'_>]) -> TestResponse {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    app.send_raw(Method::POST, MEDIA, Some(token), Some(&content_type), form(parts)).await
}

/// A picture with some structure, so that encoders have work to do.
fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, ((x ^ y) % 256) as u8])
    }))
}

fn encoded(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, format).expect("the fixture encodes");
    out.into_inner()
}

/// The path of a file URL on the test server (`WARTA_PUBLIC_URL` is http://warta.test there).
fn local(url: &Value) -> String {
    url.as_str().expect("a URL").strip_prefix("http://warta.test").expect("under the public URL").to_owned()
}

/// A JPEG whose EXIF says "rotate 90° clockwise to show" (orientation 6) and where it was taken.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let plain = encoded(&picture(width, height), ImageFormat::Jpeg);
    // TIFF, big-endian: IFD0 with Orientation = 6 and a pointer to a GPS IFD with latitude 6°10'S.
    let mut tiff: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0]);
    let gps_at: u32 = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&[0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1]);
    tiff.extend_from_slice(&gps_at.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let rationals_at: u32 = gps_at + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&[0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, b'S', 0, 0, 0]);
    tiff.extend_from_slice(&[0x00, 0x02, 0x00, 0x05, 0, 0, 0, 3]);
    tiff.extend_from_slice(&rationals_at.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    for (numerator, denominator) in [(6u32, 1u32), (10, 1), (424_242, 10_000)] {
        tiff.extend_from_slice(&numerator.to_be_bytes());
        tiff.extend_from_slice(&denominator.to_be_bytes());
    }
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&u16::try_from(app1.len() + 2).expect("a small segment").to_be_bytes());
    segment.extend_from_slice(&app1);
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend_from_slice(&segment);
    jpeg.extend_from_slice(&plain[2..]);
    jpeg
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file of an item: the original and each variant, fetched through HTTP.
async fn files_of(app: &TestApp, item: &Value) -> Vec<(String, TestResponse)> {
    let mut urls = vec![local(&item["url"])];
    for variant in item["variants"].as_array().expect("variants") {
        urls.push(local(&variant["url"]));
    }
    let mut files = Vec::new();
    for url in urls {
        let response = app.get(&url).await;
        response.assert_status(200);
        files.push((url, response));
    }
    files
}

#[actix_web::test]
async fn each_accepted_type_round_trips_with_its_variants() {
    let app = TestApp::spawn().await;
    let token = app.token_for("writer").await;
    let mut rgba =
        RgbaImage::from_fn(700, 350, |x, y| Rgba([(x % 256) as u8, (y % 256) as u8, 90, (x % 200) as u8 + 55]));
    rgba.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
    let cases = [
        ("foto.jpg", encoded(&picture(1300, 650), ImageFormat::Jpeg), "image/jpeg", 1300, 650, 4),
        ("grafik.png", encoded(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png), "image/png", 700, 350, 2),
        ("animasi.gif", encoded(&picture(330, 200), ImageFormat::Gif), "image/gif", 330, 200, 1),
        ("foto.webp", encoded(&picture(1000, 500), ImageFormat::WebP), "image/webp", 1000, 500, 3),
    ];
    for (name, bytes, mime, width, height, widths) in cases {
        let response = upload(&app, &token, &[file(name, bytes.clone()), text("alt", "Sebuah gambar")]).await;
        response.assert_status(201);
        let item = response.json();
        assert_eq!(response.header("location"), Some(format!("{MEDIA}/{}", item["id"])));
        assert_eq!(item["mime_type"], mime, "{item}");
        assert_eq!((item["width"].as_u64(), item["height"].as_u64()), (Some(width), Some(height)), "{item}");
        assert_eq!(item["bytes"], bytes.len(), "{item}");
        assert_eq!(item["filename"], name);
        assert_eq!(item["alt"], "Sebuah gambar");
        assert_eq!(item["usage_count"], 0);
        assert_eq!(item["focal_point"], Value::Null);
        assert!(item["created_by"]["id"].is_i64(), "{item}");
        assert_eq!(item["placeholder"].as_str().map(str::len), Some(28), "{item}");
        let variants = item["variants"].as_array().expect("variants");
        let per_width = if mime == "image/webp" { 1 } else { 2 };
        assert_eq!(variants.len(), widths * per_width, "{name}: {item}");
        for variant in variants {
            let w = variant["width"].as_u64().expect("width");
            assert!(w <= width && [320, 640, 960, 1280, 1920].contains(&w), "{variant}");
            assert!(variant["mime_type"] == "image/webp" || variant["mime_type"] == mime, "{variant}");
        }
        let webp: Vec<String> = variants
            .iter()
            .filter(|v| v["mime_type"] == "image/webp")
            .map(|v| format!("{} {}w", v["url"].as_str().unwrap_or_default(), v["width"]))
            .collect();
        assert_eq!(item["srcset"], webp.join(", "));
        for (url, response) in files_of(&app, &item).await {
            let expected = if url.ends_with(".webp") { "image/webp" } else { mime };
            assert_eq!(response.header("content-type").as_deref(), Some(expected), "{url}");
            let decoded = image::load_from_memory(&response.body).expect("a stored file decodes");
            assert!(u64::from(decoded.width()) <= width, "{url}");
        }
        let got = app.get_as(&token, &format!("{MEDIA}/{}", item["id"])).await;
        got.assert_status(200);
        assert_eq!(got.json()["sha256"], item["sha256"]);
    }
    let listed = app.get_as(&token, MEDIA).await;
    listed.assert_status(200);
    assert_eq!(listed.json()["meta"]["total"], 4);
}

#[actix_web::test]
async fn exif_and_gps_are_gone_from_every_file_and_the_orientation_is_applied() {
    let app = TestApp::spawn().await;
    let token = app.token_for("writer").await;
    let original = jpeg_with_exif(1000, 700);
    assert!(contains(&original, b"Exif\0\0") && contains(&original, &424_242u32.to_be_bytes()));
    let response = upload(&app, &token, &[file("lokasi.jpg", original)]).await;
    response.assert_status(201);
    let item = response.json();
    // Stored 1000×700 with "rotate 90°": shown, and now stored, 700×1000.
    assert_eq!((item["width"].as_u64(), item["height"].as_u64()), (Some(700), Some(1000)), "{item}");
    let files = files_of(&app, &item).await;
    assert_eq!(files.len(), 1 + 2 * 2, "640 wide at most: {item}");
    for (url, response) in files {
        let bytes = &response.body;
        for leak in [&b"Exif"[..], b"MM\x00\x2a", &424_242u32.to_be_bytes(), b"http://ns.adobe.com/xap"] {
            assert!(!contains(bytes, leak), "{url} still carries {leak:?}");
        }
        let decoded = image::load_from_memory(bytes).expect("decodes");
        assert!(decoded.height() > decoded.width(), "{url} is upright: {}×{}", decoded.width(), decoded.height());
    }
}

#[actix_web::test]
async fn every_refused_file_stores_nothing() {
    let app = TestApp::spawn_with(|settings| settings.max_upload_bytes = 200_000).await;
    let token = app.token_for("writer").await;
    let jpeg = encoded(&picture(64, 48), ImageFormat::Jpeg);
    let mut polyglot = jpeg[..2].to_vec();
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>";
    polyglot.extend_from_slice(&[0xFF, 0xFE]);
    polyglot.extend_from_slice(&u16::try_from(html.len() + 2).expect("short").to_be_bytes());
    polyglot.extend_from_slice(html);
    polyglot.extend_from_slice(&jpeg[2..]);
    // A PNG header claiming 10,000 × 6,000 pixels (60 megapixels), with a valid checksum.
    let mut huge = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    huge.extend_from_slice(&10_000u32.to_be_bytes());
    huge.extend_from_slice(&6_000u32.to_be_bytes());
    huge.extend_from_slice(&[8, 2, 0, 0, 0]);
    let crc = crc32(&huge[12..]);
    huge.extend_from_slice(&crc.to_be_bytes());
    let big =
        encoded(&picture(64, 48), ImageFormat::Png).into_iter().chain(std::iter::repeat_n(0u8, 250_000)).collect();
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>"#;
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("gambar.svg", svg.to_vec(), 415),
        ("dokumen.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".to_vec(), 415),
        ("bukan-foto.jpg", b"this is plain text, not a picture".to_vec(), 415),
        ("polyglot.jpg", polyglot, 422),
        ("raksasa.png", huge, 422),
        ("terpotong.jpg", jpeg[..jpeg.len() / 2].to_vec(), 422),
        ("besar.png", big, 413),
        ("kosong.jpg", Vec::new(), 422),
    ];
    for (name, bytes, status) in cases {
        let response = upload(&app, &token, &[file(name, bytes)]).await;
        let problem = response.assert_problem(status);
        if status != 413 {
            assert_eq!(problem["errors"][0]["field"], "file", "{name}: {problem}");
        }
        assert_eq!(app.media_files().await, Vec::<String>::new(), "{name} left files behind");
        let listed = app.get_as(&token, MEDIA).await;
        assert_eq!(listed.json()["meta"]["total"], 0, "{name} left a row behind");
    }
    // No file part at all; and a body that is not a form.
    let response = upload(&app, &token, &[text("alt", "tanpa berkas")]).await;
    assert_eq!(response.error_fields(), ["file"]);
    let response = app.send_raw(Method::POST, MEDIA, Some(&token), Some("image/jpeg"), jpeg).await;
    response.assert_problem(415);
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[actix_web::test]
async fn the_same_bytes_uploaded_again_answer_the_same_item() {
    let app = TestApp::spawn().await;
    let writer = app.token_for("writer").await;
    let other = app.token_for("editor").await;
    let bytes = encoded(&picture(400, 300), ImageFormat::Jpeg);
    let first = upload(&app, &writer, &[file("a.jpg", bytes.clone())]).await;
    first.assert_status(201);
    let again = upload(&app, &other, &[file("b.jpg", bytes)]).await;
    again.assert_status(200);
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.json()["filename"], "a.jpg");
    assert_eq!(app.get_as(&writer, MEDIA).await.json()["meta"]["total"], 1);
}

#[actix_web::test]
async fn who_may_do_what() {
    let app = TestApp::spawn().await;
    let (writer, other_writer, editor) =
        (app.token_for("writer").await, app.token_for("writer").await, app.token_for("editor").await);
    let bytes = encoded(&picture(400, 300), ImageFormat::Png);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let anonymous =
        app.send_raw(Method::POST, MEDIA, None, Some(&content_type), form(&[file("a.png", bytes.clone())])).await;
    anonymous.assert_problem(401);
    app.get(MEDIA).await.assert_problem(401);

    let item = upload(&app, &writer, &[file("a.png", bytes)]).await.json();
    let path = format!("{MEDIA}/{}", item["id"]);
    app.get_as(&other_writer, &path).await.assert_status(200);
    app.patch(Some(&other_writer), &path, &json!({"caption": "bukan milikku"})).await.assert_problem(403);
    let changed =
        app.patch(Some(&writer), &path, &json!({"caption": "Banjir", "focal_point": {"x": 0.25, "y": 0.75}})).await;
    changed.assert_status(200);
    assert_eq!(changed.json()["caption"], "Banjir");
    assert_eq!(changed.json()["focal_point"], json!({"x": 0.25, "y": 0.75}));
    let bad = app.patch(Some(&editor), &path, &json!({"focal_point": {"x": 1.5, "y": 0}})).await;
    assert_eq!(bad.error_fields(), ["focal_point.x"]);
    let cleared = app.patch(Some(&editor), &path, &json!({"caption": null, "focal_point": null})).await;
    assert_eq!((cleared.json()["caption"].clone(), cleared.json()["focal_point"].clone()), (Value::Null, Value::Null));

    let searched = app.get_as(&writer, &format!("{MEDIA}?q=A.PN")).await.json();
    assert_eq!(searched["meta"]["total"], 1, "{searched}");
    assert_eq!(app.get_as(&writer, &format!("{MEDIA}?q=tidak-ada")).await.json()["meta"]["total"], 0);

    app.delete(Some(&writer), &path).await.assert_problem(403);
    let files = files_of(&app, &item).await;
    app.delete(Some(&editor), &path).await.assert_status(204);
    app.get_as(&editor, &path).await.assert_problem(404);
    for (url, _) in files {
        app.get(&url).await.assert_problem(404);
    }
    assert_eq!(app.media_files().await, Vec::<String>::new());
    app.get_as(&editor, &format!("{MEDIA}/abc")).await.assert_problem(404);
}

#[actix_web::test]
async fn files_are_served_immutable_with_etags_and_ranges() {
    let app = TestApp::spawn().await;
    let token = app.token_for("writer").await;
    let item = upload(&app, &token, &[file("a.jpg", encoded(&picture(700, 400), ImageFormat::Jpeg))]).await.json();
    let url = local(&item["variants"][0]["url"]);
    let whole = app.get(&url).await;
    whole.assert_status(200);
    assert_eq!(whole.header("cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    assert_eq!(whole.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(whole.header("content-length"), Some(whole.body.len().to_string()));
    let etag = whole.header("etag").expect("an ETag");

    let unchanged = app.request_with(Method::GET, &url, None, &[("If-None-Match", &etag)], None).await;
    unchanged.assert_status(304);
    let range = app.request_with(Method::GET, &url, None, &[("Range", "bytes=0-99")], None).await;
    range.assert_status(206);
    assert_eq!(range.body, whole.body[..100]);
    assert_eq!(range.header("content-range"), Some(format!("bytes 0-99/{}", whole.body.len())));

    for missing in ["/media/ab/none/320.webp", "/media/../../etc/passwd", "/media/ab/x/320.exe"] {
        app.get(missing).await.assert_problem(404);
    }
}

/// An editor, a category and an uploaded picture (with caption, credit and alt) to write with.
async fn newsroom(app: &TestApp) -> (String, i64, Value) {
    let editor = app.token_for("editor").await;
    let category = app.create_category(&editor, json!({"name": "Berita"})).await["id"].as_i64().expect("id");
    let item = upload_picture(
        app,
        &editor,
        1000,
        600,
        &[("caption", "Banjir di Kampung Melayu"), ("credit", "Ilustrasi/Net"), ("alt", "Warga menembus banjir")],
    )
    .await;
    item.assert_status(201);
    (editor, category, item.json())
}

async fn usage(app: &TestApp, token: &str, item: &Value) -> i64 {
    app.get_as(token, &format!("{MEDIA}/{}", item["id"])).await.json()["usage_count"].as_i64().expect("a count")
}

#[actix_web::test]
async fn a_library_cover_carries_its_sizes_and_the_items_words_by_default() {
    let app = TestApp::spawn().await;
    let (editor, category, item) = newsroom(&app).await;
    let body = json!({"title": "Banjir lagi", "body": "Isi.", "category_id": category, "status": "published",
        "cover_image": {"media_id": item["id"]}});
    let article = app.create_article(&editor, body).await;
    let cover = &article["cover_image"];
    assert_eq!(cover["url"], item["url"], "{cover}");
    assert_eq!(cover["media_id"], item["id"]);
    assert_eq!((cover["width"].as_u64(), cover["height"].as_u64()), (Some(1000), Some(600)));
    assert_eq!(cover["variants"], item["variants"]);
    assert_eq!(cover["srcset"], item["srcset"]);
    assert_eq!(cover["placeholder"], item["placeholder"]);
    assert_eq!(
        (&cover["caption"], &cover["credit"], &cover["alt"]),
        (&json!("Banjir di Kampung Melayu"), &json!("Ilustrasi/Net"), &json!("Warga menembus banjir"))
    );
    // Lists and the feed show the same cover without asking for the item.
    let listed = app.get("/api/v1/articles").await.json();
    assert_eq!(listed["data"][0]["cover_image"], *cover);
    let feed = app.get("/api/v1/feeds/latest").await.json();
    assert_eq!(feed["data"][0]["cover_image"]["srcset"], cover["srcset"]);

    // An article's own caption wins; an outside picture still works and has no library fields.
    let own = json!({"title": "Banjir surut", "body": "Isi.", "category_id": category,
        "cover_image": {"media_id": item["id"], "caption": "Air mulai surut"}});
    let own = app.create_article(&editor, own).await;
    assert_eq!(own["cover_image"]["caption"], "Air mulai surut");
    assert_eq!(own["cover_image"]["credit"], "Ilustrasi/Net");
    let outside = json!({"title": "Rudal", "body": "Isi.", "category_id": category,
        "cover_image": {"url": "https://images.warta.example/rudal.jpg"}});
    let outside = app.create_article(&editor, outside).await;
    assert_eq!(
        outside["cover_image"],
        json!({"url": "https://images.warta.example/rudal.jpg", "caption": null, "credit": null, "alt": null})
    );
    assert_eq!(usage(&app, &editor, &item).await, 2);
}

#[actix_web::test]
async fn library_pictures_in_bodies_become_responsive_images() {
    let app = TestApp::spawn().await;
    let (editor, category, item) = newsroom(&app).await;
    let id = item["id"].as_i64().expect("id");
    let markdown =
        json!({"title": "Foto", "category_id": category, "body": format!("Lihat ![Banjir](media:{id}) ini.")});
    let article = app.create_article(&editor, markdown).await;
    let expected = format!(
        "<img src=\"{}\" srcset=\"{}\" width=\"1000\" height=\"600\" alt=\"Banjir\" loading=\"lazy\">",
        item["url"].as_str().expect("url"),
        item["srcset"].as_str().expect("srcset")
    );
    assert!(article["body_html"].as_str().expect("html").contains(&expected), "{}", article["body_html"]);
    let html = json!({"title": "Foto HTML", "category_id": category, "body_format": "html",
        "body": format!("<p><img src=\"media:{id}\" alt=\"Banjir\"></p>")});
    let article = app.create_article(&editor, html).await;
    assert!(article["body_html"].as_str().expect("html").contains(&expected), "{}", article["body_html"]);
    assert_eq!(usage(&app, &editor, &item).await, 2);
}

#[actix_web::test]
async fn unknown_or_ambiguous_pictures_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (editor, category, item) = newsroom(&app).await;
    let base = json!({"title": "Salah", "body": "Isi.", "category_id": category});
    let cases = [
        (json!({"cover_image": {"media_id": 999}}), "cover_image.media_id"),
        (json!({"cover_image": {"media_id": item["id"], "url": "https://images.warta.example/a.jpg"}}), "cover_image"),
        (json!({"cover_image": {"caption": "tanpa gambar"}}), "cover_image"),
        (json!({"body": "![x](media:999)"}), "body"),
    ];
    for (fields, field) in cases {
        let mut body = base.clone();
        body.as_object_mut().expect("object").extend(fields.as_object().expect("object").clone());
        let response = app.post(Some(&editor), "/api/v1/articles", &body).await;
        assert_eq!(response.error_fields(), [field], "{body}");
    }
    assert_eq!(app.get_as(&editor, "/api/v1/articles?status=any").await.json()["meta"]["total"], 0);
    assert_eq!(usage(&app, &editor, &item).await, 0);
}

#[actix_web::test]
async fn an_item_in_use_cannot_be_deleted_until_no_article_uses_it() {
    let app = TestApp::spawn().await;
    let (editor, category, item) = newsroom(&app).await;
    let id = item["id"].as_i64().expect("id");
    let path = format!("{MEDIA}/{id}");
    let cover = app
        .create_article(
            &editor,
            json!({"title": "Sampul", "body": "Isi.", "category_id": category, "cover_image": {"media_id": id}}),
        )
        .await;
    let in_body = app
        .create_article(
            &editor,
            json!({"title": "Badan", "body": format!("![x](media:{id})"), "category_id": category}),
        )
        .await;
    assert_eq!(usage(&app, &editor, &item).await, 2);
    app.delete(Some(&editor), &path).await.assert_problem(409);

    // The cover goes: one use left, still refused.
    let changed = app.patch_article(&editor, &cover["id"].to_string(), 1, &json!({"cover_image": null})).await;
    changed.assert_status(200);
    assert_eq!(usage(&app, &editor, &item).await, 1);
    app.delete(Some(&editor), &path).await.assert_problem(409);
    // An edit that keeps the picture keeps the use; deleting the article ends it.
    let kept = app.patch_article(&editor, &in_body["id"].to_string(), 1, &json!({"title": "Badan baru"})).await;
    kept.assert_status(200);
    assert_eq!(usage(&app, &editor, &item).await, 1);
    let version = kept.json()["version"].to_string();
    let path_of_article = format!("/api/v1/articles/{}", in_body["id"]);
    let deleted = app
        .request_with(Method::DELETE, &path_of_article, Some(&editor), &[("If-Match", &format!("\"{version}\""))], None)
        .await;
    deleted.assert_status(204);
    assert_eq!(usage(&app, &editor, &item).await, 0);
    app.delete(Some(&editor), &path).await.assert_status(204);
    // The article that had it as a cover still reads.
    app.get_as(&editor, &format!("/api/v1/articles/{}", cover["id"])).await.assert_status(200);
}

/// The files under a folder, with their bytes.
fn files_in(folder: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(dir: &std::path::Path, root: &std::path::Path, found: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, found);
            } else if let Ok(relative) = path.strip_prefix(root) {
                found.insert(relative.display().to_string(), std::fs::read(&path).expect("readable"));
            }
        }
    }
    let mut found = std::collections::BTreeMap::new();
    walk(folder, folder, &mut found);
    found
}

#[actix_web::test]
async fn backups_and_copies_carry_the_media_files() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    for width in [500, 700] {
        upload_picture(&app, &token, width, 300, &[]).await.assert_status(201);
    }
    let stored = app.media_bytes().await;
    assert_eq!(stored.len(), (1 + 2) + (1 + 2 * 2), "320 wide, and 320 and 640: {:?}", stored.keys());

    let dir = tempfile::tempdir().expect("a folder");
    let backup = dir.path().join("backup.db");
    let out = crate::cli::warta(dir.path())
        .env("WARTA_DATABASE_URL", app.database_url())
        .envs(app.media_env())
        .arg("backup")
        .arg(&backup)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("copied 8 media files"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(files_in(&dir.path().join("backup.db.media")), stored);

    let copy = dir.path().join("copy.db");
    let out = crate::cli::warta(dir.path())
        .env("WARTA_DATABASE_URL", &backup)
        .env("WARTA_MEDIA_DIR", dir.path().join("backup.db.media"))
        .arg("copy")
        .arg("--to")
        .arg(&copy)
        .arg("--media-to")
        .arg(dir.path().join("copied-media"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(files_in(&dir.path().join("copied-media")), stored);
}
