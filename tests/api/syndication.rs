//! Black-box tests of syndication.
