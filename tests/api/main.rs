//! Black-box tests: each starts the real server on a random port with a fresh database and speaks
//! only HTTP to it.

mod articles;
mod articles_workflow;
mod auth;
mod authors;
mod caching;
mod categories;
mod cli;
mod connections;
mod durability;
mod errors;
mod feeds;
mod hardening;
mod helpers;
mod hostile;
mod logging;
mod openapi;
mod operations;
mod permissions;
mod render_limits;
mod syndication;
mod tags;
mod users;
