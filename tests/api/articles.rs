//! Black-box tests of articles.
