//! Black-box tests of caching.
