//! The `disk` command's PG: a log of client writes as an OSD left it on disk,
//! for scenarios that start from a given history (a replica that missed or
//! diverged from writes, a log trimmed past a newcomer) rather than reach it.

use peering_core::intervals::UpActing;
use peering_core::log::{LogEntry, LogOp, Missing, PgLog, PgLogT};
use peering_core::machine::{Config, PgLoad};
use peering_core::types::{EVersion, Epoch, ObjectId, PgHistory, PgInfo, PgShard, SpgId, UTime};

use super::ErrorKind;

/// What `disk` seeds: entries `e'(tail+1)..=e'head` of objects `o{n}` (one
/// object per entry, hash `n`), all written in epoch `e`, which is also when
/// the history last went active and clean.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Disk {
    /// The OSD.
    pub osd: i32,
    /// The epoch every entry was written in (`e`).
    pub epoch: Epoch,
    /// The newest entry's number.
    pub head: u64,
    /// The log tail's number: entries up to it were trimmed (their objects
    /// stay in the store).
    pub tail: u64,
    /// The instance's own `last_epoch_started`.
    pub les: Epoch,
    /// Its history's `last_epoch_started` (an interval the OSD heard went
    /// active), at least `les`.
    pub history_les: Epoch,
}

/// Entry `n` of a [`Disk`] log: a modify of object `o{n}` in epoch `epoch`.
pub fn entry(pool: i64, epoch: Epoch, n: u64) -> Result<LogEntry, ErrorKind> {
    let hash = u32::try_from(n).map_err(|_| ErrorKind::BadValue {
        arg: "head".into(),
        value: n.to_string(),
        expected: "an entry number below 2^32",
    })?;
    Ok(LogEntry::new(
        LogOp::Modify,
        ObjectId::new(pool, hash, format!("o{n}")),
        EVersion::new(epoch, n),
        EVersion::ZERO,
    ))
}

impl Disk {
    /// The PG as `load_pgs` will read it, mapped to `mapping`.
    pub fn load(
        &self,
        pgid: SpgId,
        mapping: UpActing,
        config: Config,
    ) -> Result<PgLoad, ErrorKind> {
        let e = self.epoch;
        let mut log = PgLogT::new(EVersion::new(e, self.tail), EVersion::new(e, self.head));
        log.entries = (self.tail + 1..=self.head)
            .map(|n| entry(pgid.pgid.pool, e, n))
            .collect::<Result<_, _>>()?;
        let mut history = PgHistory::new(1, UTime::default());
        history.last_epoch_started = self.history_les;
        history.last_interval_started = self.history_les;
        history.last_epoch_clean = e;
        history.last_interval_clean = e;
        history.same_interval_since = e;
        history.same_up_since = e;
        history.same_primary_since = e;
        let mut info = PgInfo::new(pgid);
        info.last_update = EVersion::new(e, self.head);
        info.last_complete = info.last_update;
        info.log_tail = EVersion::new(e, self.tail);
        info.last_epoch_started = self.les;
        info.last_interval_started = self.les;
        info.history = history;
        info.stats.num_objects = i64::try_from(self.head).unwrap_or(i64::MAX);
        let log = PgLog::from_parts(log, Missing::new(true))
            .map_err(|e| ErrorKind::Impossible(format!("the log does not load: {e}")))?;
        Ok(PgLoad {
            whoami: PgShard::replica(self.osd),
            info,
            past_intervals: Default::default(),
            log,
            mapping,
            config,
        })
    }
}
