//! Warta: a headless CMS for news publishers. The library holds the whole application so that the
//! binary and the black-box tests start exactly the same server.

pub mod articles;
pub mod audit;
pub mod auth;
pub mod authors;
pub mod caller;
pub mod categories;
pub mod cli;
pub mod clock;
pub mod config;
pub mod content_epoch;
pub mod db;
pub mod domain;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod health;
pub mod http_cache;
pub mod http_head;
pub mod media;
pub mod metrics;
pub mod openapi;
pub mod published;
pub mod responses;
pub mod routes;
pub mod security;
pub mod seed;
pub mod startup;
pub mod syndication;
pub mod tags;
pub mod telemetry;
pub mod users;
pub mod views;
