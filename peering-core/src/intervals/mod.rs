//! Past intervals and prior sets (reference §5.1–5.7, §6.11).

mod error;
mod past_intervals;

pub use error::IntervalError;
pub use past_intervals::{CompactInterval, PastIntervals};
