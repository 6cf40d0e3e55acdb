//! Black-box tests of feeds.
