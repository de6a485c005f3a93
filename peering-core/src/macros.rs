//! `pg_log!`: the core's logging, compiled to `defmt` (feature `defmt`), to the
//! `log` crate (feature `log`), or to nothing, as smoltcp's `net_log!` does. The
//! core logs state transitions (Ceph's `log_enter`/`log_exit` lines), dropped
//! events, and crashes, each with the PG id.
//!
//! Arguments must print with `{}` under both back ends: `&str` (state and event
//! names), integers, and types that are `Display` and `defmt::Format` (`SpgId`).

#[cfg(all(feature = "defmt", feature = "log"))]
compile_error!("the `defmt` and `log` features are exclusive: pick one logger");

#[cfg(feature = "defmt")]
macro_rules! pg_log {
    (trace, $($arg:expr),* $(,)?) => { defmt::trace!($($arg),*) };
    (debug, $($arg:expr),* $(,)?) => { defmt::debug!($($arg),*) };
    (warn, $($arg:expr),* $(,)?) => { defmt::warn!($($arg),*) };
    (error, $($arg:expr),* $(,)?) => { defmt::error!($($arg),*) };
}

#[cfg(all(feature = "log", not(feature = "defmt")))]
macro_rules! pg_log {
    (trace, $($arg:expr),* $(,)?) => { ::log::trace!(target: "peering", $($arg),*) };
    (debug, $($arg:expr),* $(,)?) => { ::log::debug!(target: "peering", $($arg),*) };
    (warn, $($arg:expr),* $(,)?) => { ::log::warn!(target: "peering", $($arg),*) };
    (error, $($arg:expr),* $(,)?) => { ::log::error!(target: "peering", $($arg),*) };
}

#[cfg(not(any(feature = "defmt", feature = "log")))]
macro_rules! pg_log {
    ($level:ident, $fmt:expr $(, $arg:expr)* $(,)?) => {{
        // Evaluate nothing, but keep the arguments "used" for the compiler.
        let _ = || {
            let _ = ($fmt, $(&$arg),*);
        };
    }};
}
