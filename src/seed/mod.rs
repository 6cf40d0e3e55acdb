//! Loading content that the newsroom did not write: the demo newsroom for newcomers.

pub mod demo;
pub mod pictures;
pub mod scale;
