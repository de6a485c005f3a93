//! [`SimConfig`]: what one simulated run is, and the refusals of a run that
//! cannot be honoured.

use peering_core::map::MAX_POOL_PG_NUM;
use peering_core::types::Timespan;

/// One kind of fault the world can inject.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum FaultKind {
    /// A connection between two OSDs resets. Between OSDs Ceph's messenger
    /// is `lossless_peer`: it reconnects and replays what was in flight, so
    /// the fault delays; loss and `ms_handle_reset` come with a mark-down or
    /// a restart, which the other faults cause.
    ConnReset,
    /// Some OSDs are cut off from the others for a while: nothing crosses,
    /// heartbeats fail, and the monitor marks the far side down.
    Partition,
    /// One link delivers late for a while.
    SlowLink,
    /// An OSD process crashes (its uncommitted transactions are lost) and
    /// restarts from its store later.
    Crash,
    /// One OSD's disk commits late for a while.
    SlowDisk,
    /// The monitor marks an OSD down while it is alive (it boots again).
    MarkDownAlive,
    /// An OSD is marked out, and later in.
    OutIn,
    /// The pool's `pg_num` is raised (the manager then walks `pgp_num`).
    PgNumRaise,
    /// The pool's `pg_num` is halved: the manager lowers `pgp_num`, then
    /// merges the PGs one at a time as they report ready.
    PgNumLower,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 9] = [
        FaultKind::ConnReset,
        FaultKind::Partition,
        FaultKind::SlowLink,
        FaultKind::Crash,
        FaultKind::SlowDisk,
        FaultKind::MarkDownAlive,
        FaultKind::OutIn,
        FaultKind::PgNumRaise,
        FaultKind::PgNumLower,
    ];

    /// The kind's name, as the command line spells it.
    pub const fn name(self) -> &'static str {
        match self {
            FaultKind::ConnReset => "reset",
            FaultKind::Partition => "partition",
            FaultKind::SlowLink => "slow-link",
            FaultKind::Crash => "crash",
            FaultKind::SlowDisk => "slow-disk",
            FaultKind::MarkDownAlive => "mark-down",
            FaultKind::OutIn => "out-in",
            FaultKind::PgNumRaise => "pg-num",
            FaultKind::PgNumLower => "pg-merge",
        }
    }
}

/// Safety or liveness (TigerBeetle's VOPR modes).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Faults never stop; only the safety invariants are checked.
    Safety,
    /// Faults stop at [`SimConfig::duration`], the cluster heals, and every
    /// PG must reach active+clean within `deadline` of simulated time; then
    /// every acknowledged write is read back.
    Liveness {
        /// How long the healed cluster has to become clean.
        deadline: Timespan,
    },
}

/// One run: the cluster, the load, the faults and the seed.
#[derive(Clone, PartialEq, Debug)]
pub struct SimConfig {
    /// The seed: one seed, one run, byte for byte.
    pub seed: u64,
    /// OSDs.
    pub osds: u32,
    /// OSDs per CRUSH host (1: every OSD its own host); replicas go to
    /// different hosts.
    pub osds_per_host: u32,
    /// The pool's `pg_num` at creation.
    pub pg_num: u32,
    /// Replicas per PG.
    pub size: u32,
    /// `min_size` (`k..=k+m` for an EC pool; the monitor's default there is
    /// `k + min(1, m - 1)`).
    pub min_size: u32,
    /// Erasure coding `(k, m)` instead of replication (`size` is then k+m,
    /// one shard per host, CRUSH's `indep` rule).
    pub ec: Option<(u32, u32)>,
    /// Probability, per simulated second, that a fault is injected.
    pub fault_rate: f64,
    /// The fault kinds this run may inject.
    pub faults: Vec<FaultKind>,
    /// Swarm testing: the seed draws a subset of `faults` for this run.
    pub swarm: bool,
    /// Client writes issued per simulated second.
    pub writes_per_sec: u32,
    /// How long faults and clients run (simulated time).
    pub duration: Timespan,
    /// The mode.
    pub mode: Mode,
    /// Keep the transcript lines (the hash is always kept).
    pub transcript: bool,
    /// Keep about this many log entries per PG (`osd_min_pg_log_entries`
    /// with no per-OSD budget, trims of a single entry allowed), so that
    /// writes trim the logs and an OSD that was away long enough comes back
    /// behind the tail and is backfilled. `None`: Ceph's defaults (a budget
    /// of 300,000 entries per OSD, at least 250 per PG), which short runs
    /// never reach.
    pub pg_log_entries: Option<u64>,
    /// Stop after this many events and report every PG instance's
    /// `pg query` ([`super::SimReport::snapshot`]): a look inside a run at one
    /// step (`peering pg query --seed S --at STEP`). No liveness check then.
    pub stop_at: Option<u64>,
}

pub(super) const SEC: i64 = 1_000_000_000;

impl SimConfig {
    /// A liveness run of `seed` on `osds` OSDs and a size-3, `min_size` 2 pool
    /// of `pg_num` PGs, every fault kind on, for 120 simulated seconds.
    pub fn new(seed: u64, osds: u32, pg_num: u32) -> Self {
        SimConfig {
            seed,
            osds,
            osds_per_host: 1,
            pg_num,
            size: 3,
            min_size: 2,
            ec: None,
            fault_rate: 0.2,
            faults: FaultKind::ALL.to_vec(),
            swarm: true,
            writes_per_sec: 4,
            duration: Timespan(120 * SEC),
            mode: Mode::Liveness {
                deadline: Timespan(900 * SEC),
            },
            transcript: false,
            pg_log_entries: None,
            stop_at: None,
        }
    }

    /// Refuses a run that cannot be honoured, before it starts.
    pub fn validate(&self) -> Result<(), SimError> {
        // Replicas and shards go to distinct hosts.
        let hosts = self.osds.div_ceil(self.osds_per_host.max(1));
        let (size, least) = match self.ec {
            Some((k, m)) => {
                if k == 0 || m == 0 {
                    return Err(SimError::BadErasureCode { k, m });
                }
                // An EC PG needs k shards to be read at all.
                (k.saturating_add(m), k)
            }
            None => (self.size, 1),
        };
        if size == 0 || size > hosts {
            return Err(SimError::TooFewOsds {
                osds: self.osds,
                needed: size,
            });
        }
        if self.min_size < least || self.min_size > size {
            return Err(SimError::BadMinSize {
                size,
                min_size: self.min_size,
            });
        }
        if self.pg_num == 0 || self.pg_num > MAX_POOL_PG_NUM {
            return Err(SimError::BadPgNum(self.pg_num));
        }
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(SimError::BadFaultRate(self.fault_rate));
        }
        if self.duration.0 <= 0 {
            return Err(SimError::BadDuration);
        }
        Ok(())
    }
}

/// Why a run was refused before it started.
#[derive(Clone, PartialEq, Debug, thiserror::Error)]
pub enum SimError {
    /// More replicas (or EC shards) than OSDs, or than hosts to put them in.
    #[error(
        "{needed} replicas or shards need {needed} OSDs in distinct hosts, the run has {osds} OSDs"
    )]
    TooFewOsds {
        /// OSDs in the run.
        osds: u32,
        /// Replicas or k+m.
        needed: u32,
    },
    /// `min_size` outside `1..=size` (`k..=k+m` for an EC pool).
    #[error("min_size {min_size} outside 1..={size} (k..=k+m for an EC pool)")]
    BadMinSize {
        /// `size`.
        size: u32,
        /// `min_size`.
        min_size: u32,
    },
    /// `pg_num` outside `1..=mon_max_pool_pg_num`.
    #[error("pg_num {0} outside 1..=65536")]
    BadPgNum(u32),
    /// A fault rate outside `0..=1`.
    #[error("fault rate {0} outside 0..=1")]
    BadFaultRate(f64),
    /// A duration that is not positive.
    #[error("duration must be positive")]
    BadDuration,
    /// An erasure code with no data or no coding chunks.
    #[error("erasure code {k}+{m} needs k >= 1 and m >= 1")]
    BadErasureCode {
        /// k.
        k: u32,
        /// m.
        m: u32,
    },
    /// The initial cluster could not be built.
    #[error("cluster set-up failed: {0}")]
    Setup(String),
}
