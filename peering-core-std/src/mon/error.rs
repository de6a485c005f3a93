//! [`MonError`]: why the monitor refused a command or a proposal.

use peering_core::types::OsdId;

use crate::osdmap::OsdMapError;

/// Why a command or proposal was refused; the monitor's state is unchanged.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum MonError {
    /// The map refused the change.
    #[error("map refused the change: {0}")]
    Map(#[from] OsdMapError),
    /// A pool id that exists already (`pool create`).
    #[error("pool {0} exists")]
    PoolExists(i64),
    /// A pool the map does not have.
    #[error("no pool {0}")]
    NoPool(i64),
    /// An OSD the map does not have.
    #[error("{0} does not exist")]
    NoOsd(OsdId),
    /// A value outside what Ceph accepts (`pg_num` 0 or above
    /// `mon_max_pool_pg_num`, `pgp_num` above `pg_num`, a weight above 1).
    #[error("{what}: {value} is out of range")]
    OutOfRange {
        /// What was set.
        what: &'static str,
        /// The value refused.
        value: u64,
    },
}
