//! Authoritative-log choice and acting-set choice (reference §5.8–5.10, §5.22–5.23).

mod error;

pub use error::ActingError;
