//! Black-box tests: each starts the real server on a random port with a fresh database and speaks
//! only HTTP to it.

mod helpers;
mod openapi;
