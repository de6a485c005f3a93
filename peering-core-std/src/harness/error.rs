//! [`HarnessError`]: what can stop a scripted scenario.

use peering_core::PeeringError;
use peering_core::types::{Epoch, OsdId, SpgId};

/// Why a harness call failed (a broken host contract of, or a script that
/// does not settle).
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum HarnessError {
    /// The core refused a creation, load or map advance (a broken host contract).
    #[error("{osd} pg {pgid}: {source}")]
    Peering {
        /// The OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
        /// The core's error (boxed: it is large and rare).
        source: Box<PeeringError>,
    },
    /// [`super::OsdHarness::run`] delivered this many events without the cluster
    /// going quiet.
    #[error("no quiescence after {0} deliveries")]
    NoQuiescence(usize),
    /// No map was published at this epoch.
    #[error("no map at epoch {0}")]
    NoMap(Epoch),
    /// The store holds nothing loadable for this PG instance.
    #[error("{osd} has no loadable pg {pgid}")]
    NotStored {
        /// The OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
    },
    /// The PG has no acting primary in the newest map (a write has nowhere to go).
    #[error("pg {pgid} has no acting primary")]
    NoPrimary {
        /// The PG.
        pgid: SpgId,
    },
    /// An [`crate::osd::Osd`] refused a call for one of its PGs (the
    /// [`super::osd_cluster::OsdHarness`] reports it and goes on).
    #[error("{osd}: {error}")]
    Osd {
        /// The OSD.
        osd: OsdId,
        /// The OSD's error.
        error: crate::osd::OsdError,
    },
    /// The monitor could not build a map (an incremental that does not apply,
    /// a CRUSH map that does not build).
    #[error("map: {0}")]
    Map(crate::osdmap::OsdMapError),
    /// The OSD does not run this PG instance.
    #[error("{osd} does not run pg {pgid}")]
    NoInstance {
        /// The OSD.
        osd: OsdId,
        /// The PG shard.
        pgid: SpgId,
    },
}

impl HarnessError {
    /// The PG instance the error is about, if it is about one.
    pub fn instance(&self) -> Option<(OsdId, SpgId)> {
        match self {
            HarnessError::Peering { osd, pgid, .. }
            | HarnessError::NotStored { osd, pgid }
            | HarnessError::NoInstance { osd, pgid } => Some((*osd, *pgid)),
            HarnessError::NoQuiescence(_)
            | HarnessError::Osd { .. }
            | HarnessError::Map(_)
            | HarnessError::NoMap(_)
            | HarnessError::NoPrimary { .. } => None,
        }
    }

    /// Wraps the core's refusal of a call for `osd`'s instance of `pgid`.
    pub(super) fn peering(osd: OsdId, pgid: SpgId) -> impl Fn(PeeringError) -> HarnessError + Copy {
        move |source| HarnessError::Peering {
            osd,
            pgid,
            source: Box::new(source),
        }
    }
}
