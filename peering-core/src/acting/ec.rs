//! Erasure-coded pools: `calc_ec_acting`.

use alloc::collections::BTreeMap;

use super::error::ActingError;
use super::placement::pg_shard_at;
use super::replicated::info_of;
use super::validate::MAX_SHARDS;
use super::want::{WantSets, is_usable};
use crate::types::{EVersion, OsdId, PgInfo, PgShard};

/// Ceph's `calc_ec_acting`: the wanted acting vector of an EC pool, position by
/// position (a position is a shard and never moves).
///
/// For position `i`: the up OSD if it is complete and its `last_update` reaches
/// `auth_log_tail` (the authoritative shard's `log_tail`); otherwise a present up OSD
/// becomes a backfill target, and the position is filled by the acting OSD under the
/// same test, or, unless `restrict_to_up_acting`, by the first holder of shard `i` in
/// `pg_shard_t` order that passes it; else it stays `OsdId::NONE`. `acting_backfill`
/// holds every filled position and the backfill targets. The EC primary is not chosen
/// here: it follows from the map's order.
///
/// A `size` beyond what `shard_id_t` can name is refused with
/// [`ActingError::InvalidPoolSize`] before anything is allocated.
pub fn calc_ec_acting(
    auth_log_tail: EVersion,
    size: u32,
    acting: &[OsdId],
    up: &[OsdId],
    all_info: &BTreeMap<PgShard, PgInfo>,
    restrict_to_up_acting: bool,
) -> Result<WantSets, ActingError> {
    if size > MAX_SHARDS {
        return Err(ActingError::InvalidPoolSize { size });
    }
    let size = usize::try_from(size).unwrap_or(0);
    let usable = |info: &PgInfo| is_usable(info, auth_log_tail);
    let mut sets = WantSets::default();
    sets.want.resize(size, OsdId::NONE);

    for (i, slot) in sets.want.iter_mut().enumerate() {
        if let Some(&osd) = up.get(i).filter(|o| !o.is_none()) {
            let shard = pg_shard_at(osd, i, true);
            if usable(info_of(all_info, shard)?) {
                *slot = osd;
                continue;
            }
            sets.backfill.insert(shard);
        }
        if let Some(&osd) = acting.get(i).filter(|o| !o.is_none()) {
            if usable(info_of(all_info, pg_shard_at(osd, i, true))?) {
                *slot = osd;
                continue;
            }
        }
        if !restrict_to_up_acting {
            let position = pg_shard_at(OsdId::NONE, i, true).shard;
            if let Some((s, _)) = all_info
                .iter()
                .find(|(s, info)| s.shard == position && usable(info))
            {
                *slot = s.osd;
            }
        }
    }

    for (i, &osd) in sets.want.iter().enumerate() {
        if !osd.is_none() {
            sets.acting_backfill.insert(pg_shard_at(osd, i, true));
        }
    }
    sets.acting_backfill.extend(sets.backfill.iter().copied());
    Ok(sets)
}
