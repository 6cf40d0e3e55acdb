//! Black-box tests: each starts the real server on a random port with a fresh database and speaks
//! only HTTP to it.

// Tests date what they send by the wall clock; a test that moves the server's clock
// (`TestApp::clock`) dates by `app.clock.now()` instead.
#![allow(clippy::disallowed_methods)]

mod articles;
mod articles_workflow;
mod auth;
mod authors;
mod caching;
mod categories;
mod cli;
mod cluster;
mod connections;
mod copy;
mod durability;
mod errors;
mod feeds;
mod hardening;
mod helpers;
mod hostile;
mod html_oracle;
mod instances;
mod logging;
mod media;
mod openapi;
mod operations;
mod permissions;
mod raw_http;
mod render_limits;
mod syndication;
mod tags;
mod users;
