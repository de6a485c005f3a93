//! Replicated pools: `select_replicated_primary` and `calc_replicated_acting`
//! (stretch pools: [`super::calc_replicated_acting_stretch`]).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::cost::{PeerMissingCounts, approx_missing_objects};
use super::error::ActingError;
use super::want::{WantSets, is_usable};
use crate::types::{EVersion, OsdId, PgInfo, PgShard};

/// Looks up a shard Ceph assumes present.
pub(crate) fn info_of(
    all_info: &BTreeMap<PgShard, PgInfo>,
    shard: PgShard,
) -> Result<&PgInfo, ActingError> {
    all_info
        .get(&shard)
        .ok_or(ActingError::MissingInfo { shard })
}

/// Ceph's `select_replicated_primary` (Nautilus+): the primary of the wanted
/// acting set, and `oldest_auth_log_entry`, the oldest version a replica may have and
/// still be recovered from the log.
///
/// The up primary keeps the role when it is complete, reaches the authoritative
/// `log_tail`, and its approximate missing count (its missing objects plus its version
/// distance from the authority, see [`PeerMissingCounts`]) does not exceed
/// `force_auth_primary_missing_objects`; otherwise the authoritative shard leads. The
/// returned entry is the older of the two `log_tail`s, because GetLog extends our log
/// back as far as any replica the authority's log can recover.
pub fn select_replicated_primary(
    auth: PgShard,
    force_auth_primary_missing_objects: u64,
    up: &[OsdId],
    up_primary: PgShard,
    all_info: &BTreeMap<PgShard, PgInfo>,
    peer_missing: &PeerMissingCounts,
) -> Result<(PgShard, EVersion), ActingError> {
    let auth_info = info_of(all_info, auth)?;
    let mut primary = auth;
    if !up.is_empty() {
        let up_info = info_of(all_info, up_primary)?;
        if !up_info.is_incomplete() && up_info.last_update >= auth_info.log_tail {
            let approx = approx_missing_objects(
                up_primary,
                up_info,
                auth_info.last_update.version,
                true,
                peer_missing,
            );
            if approx <= force_auth_primary_missing_objects {
                primary = up_primary;
            }
        }
    }
    let primary_info = info_of(all_info, primary)?;
    let oldest_auth_log_entry = primary_info.log_tail.min(auth_info.log_tail);
    Ok((primary, oldest_auth_log_entry))
}

/// Ceph's `calc_replicated_acting`: the wanted acting vector for a replicated
/// pool, preferring up, then acting, then (unless `restrict_to_up_acting`) stray
/// shards.
///
/// 1. The primary leads `want`.
/// 2. Every other up OSD joins `want` if it is complete and its `last_update` reaches
///    `oldest_auth_log_entry`; otherwise it becomes a backfill target. Either way it is
///    in `acting_backfill`. No size limit applies here; `choose_acting` trims.
/// 3. While `want` is short of `size`: acting OSDs not in up, then other shards with
///    infos, each group filtered by the same test and taken newest `last_update` first.
///    Ceph sorts with an unstable sort; ties here keep vector order (acting) or
///    `pg_shard_t` order (strays), a stable sort.
pub fn calc_replicated_acting(
    primary: PgShard,
    oldest_auth_log_entry: EVersion,
    size: u32,
    acting: &[OsdId],
    up: &[OsdId],
    all_info: &BTreeMap<PgShard, PgInfo>,
    restrict_to_up_acting: bool,
) -> Result<WantSets, ActingError> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let usable = |info: &PgInfo| is_usable(info, oldest_auth_log_entry);
    let mut sets = WantSets::default();
    sets.want.push(primary.osd);
    sets.acting_backfill.insert(primary);

    for &osd in up {
        let cand = PgShard::replica(osd.0);
        if cand == primary {
            continue;
        }
        if usable(info_of(all_info, cand)?) {
            sets.want.push(osd);
        } else {
            sets.backfill.insert(cand);
        }
        sets.acting_backfill.insert(cand);
    }
    if sets.want.len() >= size {
        return Ok(sets);
    }

    let mut candidates: Vec<(EVersion, OsdId)> = Vec::new();
    for &osd in acting {
        let cand = PgShard::replica(osd.0);
        if cand == primary || up.contains(&osd) {
            continue;
        }
        let info = info_of(all_info, cand)?;
        if usable(info) {
            candidates.push((info.last_update, osd));
        }
    }
    if fill_newest_first(&mut sets, candidates, size) || restrict_to_up_acting {
        return Ok(sets);
    }

    let strays = all_info
        .iter()
        .filter(|(s, _)| **s != primary && !up.contains(&s.osd) && !acting.contains(&s.osd))
        .filter(|(_, info)| usable(info))
        .map(|(s, info)| (info.last_update, s.osd))
        .collect();
    fill_newest_first(&mut sets, strays, size);
    Ok(sets)
}

/// Appends candidates to `want`, newest `last_update` first (stable), until `want`
/// reaches `size`; returns whether it did.
fn fill_newest_first(
    sets: &mut WantSets,
    mut candidates: Vec<(EVersion, OsdId)>,
    size: usize,
) -> bool {
    candidates.sort_by_key(|&(last_update, _)| core::cmp::Reverse(last_update));
    for (_, osd) in candidates {
        sets.want.push(osd);
        sets.acting_backfill.insert(PgShard::replica(osd.0));
        if sets.want.len() >= size {
            return true;
        }
    }
    sets.want.len() >= size
}
