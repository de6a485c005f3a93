//! Requests to the monitor: up_thru (`queue_want_up_thru` / `send_alive`),
//! pg_temp (`queue_want_pg_temp` / `send_pg_temp`), boot, map subscriptions.
//!
//! Each request is sent once; one not granted yet is sent again after a new
//! map and after the monitor session is re-established
//! ([`Osd::ms_handle_mon_reset`]).

use std::collections::BTreeMap;

use peering_core::ctx::MonRequest;
use peering_core::map::OsdMapView;
use peering_core::types::{Epoch, OsdVec, PgId};

use super::output::{MonMessage, OsdOutput};
use super::{Osd, OsdState};
use crate::msg::{AliveMsg, PgCreatedMsg, PgTempMsg};

/// What the OSD has asked of the monitor.
#[derive(Clone, Debug, Default)]
pub(super) struct MonState {
    /// `up_thru_wanted`.
    pub up_thru_wanted: Epoch,
    /// The `want` of the last `MOSDAlive` sent (0: none outstanding).
    pub alive_sent: Epoch,
    /// `pg_temp_wanted`: to send.
    pub pg_temp_wanted: BTreeMap<PgId, OsdVec>,
    /// `pg_temp_pending`: sent, not granted yet.
    pub pg_temp_pending: BTreeMap<PgId, OsdVec>,
    /// An `MOSDBoot` is outstanding.
    pub boot_sent: bool,
    /// The newest start epoch subscribed to.
    pub subscribed: Epoch,
    /// `start_boot` ran: maps from here on are news. The ones the host hands
    /// a new process before it (its store's history) are not, so nothing in
    /// them is reported to the monitor as current (Ceph's `init` loads them
    /// without `_committed_osd_maps`).
    pub booted: bool,
}

impl Osd {
    /// One monitor request of a PG's context.
    pub(super) fn mon_request(&mut self, r: MonRequest) {
        match r {
            MonRequest::UpThru { want } => self.queue_want_up_thru(want),
            MonRequest::PgTemp { pgid, want } => self.queue_want_pg_temp(pgid, want),
            MonRequest::ClearPgTemp { pgid } => self.remove_want_pg_temp(pgid),
            MonRequest::PgCreated { pgid } => self
                .outputs
                .push_back(OsdOutput::Mon(MonMessage::PgCreated(PgCreatedMsg { pgid }))),
        }
    }

    /// `queue_want_up_thru(want)`: remembers the largest up_thru wanted and, if
    /// it grew, sends it.
    pub fn queue_want_up_thru(&mut self, want: Epoch) {
        if want > self.mon.up_thru_wanted {
            self.mon.up_thru_wanted = want;
            self.send_alive();
        }
    }

    /// `send_alive`: `MOSDAlive(epoch, up_thru_wanted)` if this OSD exists in
    /// its map, the map does not record the wanted up_thru yet, and that
    /// request is not already outstanding.
    pub fn send_alive(&mut self) {
        let Some(map) = self.maps.newest() else {
            return;
        };
        let me = self.cfg.whoami;
        let want = self.mon.up_thru_wanted;
        if !map.exists(me) || want <= map.up_thru(me) || self.mon.alive_sent >= want {
            return;
        }
        let version = map.epoch();
        self.mon.alive_sent = want;
        self.outputs
            .push_back(OsdOutput::Mon(MonMessage::Alive(AliveMsg {
                version,
                want,
            })));
    }

    /// `queue_want_pg_temp(pgid, want)`: to be sent, unless the same request is
    /// already pending. An empty `want` asks to remove the PG's pg_temp.
    pub fn queue_want_pg_temp(&mut self, pgid: PgId, want: OsdVec) {
        if self.mon.pg_temp_pending.get(&pgid) == Some(&want) {
            return;
        }
        self.mon.pg_temp_wanted.insert(pgid, want);
    }

    /// `remove_want_pg_temp(pgid)`: forgets the request.
    pub fn remove_want_pg_temp(&mut self, pgid: PgId) {
        self.mon.pg_temp_wanted.remove(&pgid);
        self.mon.pg_temp_pending.remove(&pgid);
    }

    /// `send_pg_temp`: one `MOSDPGTemp` with everything wanted; it moves to
    /// pending.
    pub fn send_pg_temp(&mut self) {
        if self.mon.pg_temp_wanted.is_empty() {
            return;
        }
        let pg_temp = std::mem::take(&mut self.mon.pg_temp_wanted);
        self.mon.pg_temp_pending.extend(pg_temp.clone());
        self.outputs
            .push_back(OsdOutput::Mon(MonMessage::PgTemp(PgTempMsg {
                map_epoch: self.epoch(),
                pg_temp,
                forced: false,
            })));
    }

    /// `osdmap_subscribe(start)`: asks the monitor for maps from `start`, once
    /// per start epoch.
    pub(super) fn mon_subscribe(&mut self, start: Epoch) {
        if start > self.mon.subscribed {
            self.mon.subscribed = start;
            self.outputs
                .push_back(OsdOutput::Mon(MonMessage::Subscribe { start }));
        }
    }

    /// `start_boot` / `_send_boot`: asks the monitor to mark this OSD up, once
    /// while booting (again after a new map or a monitor reconnect that leave
    /// it down). Needs a map.
    pub fn start_boot(&mut self) {
        self.mon.booted = true;
        if self.state != OsdState::Booting || self.mon.boot_sent || self.maps.is_empty() {
            return;
        }
        self.mon.boot_sent = true;
        let epoch = self.epoch();
        self.outputs
            .push_back(OsdOutput::Mon(MonMessage::Boot { epoch }));
    }

    /// The monitor session was re-established (`ms_handle_connect` to a
    /// monitor): the outstanding boot, up_thru and pg_temp requests and the
    /// merge readiness are sent again (`requeue_pg_temp`,
    /// `clear_sent_ready_to_merge`), and the map subscription renewed.
    pub fn ms_handle_mon_reset(&mut self) {
        self.mon.boot_sent = false;
        self.mon.alive_sent = 0;
        self.mon.subscribed = 0;
        let pending = std::mem::take(&mut self.mon.pg_temp_pending);
        for (pgid, want) in pending {
            self.mon.pg_temp_wanted.entry(pgid).or_insert(want);
        }
        self.start_boot();
        self.send_alive();
        self.send_pg_temp();
        // `clear_sent_ready_to_merge`, then `send_ready_to_merge`: the new
        // monitor session hears every merge readiness again.
        self.resend_ready_to_merge();
        if self.epoch() > 0 {
            self.mon_subscribe(self.epoch().saturating_add(1));
        }
    }

    /// After a new map: granted requests are forgotten, the others sent again
    /// (Ceph's `activate_map` / boot path).
    pub(super) fn resend_mon_requests(&mut self) {
        let Some(map) = self.maps.newest().cloned() else {
            return;
        };
        let temps = map.pg_temp();
        let pending = std::mem::take(&mut self.mon.pg_temp_pending);
        for (pgid, want) in pending {
            let granted = match temps.get(&pgid) {
                Some(have) => *have == want,
                None => want.is_empty(),
            };
            if !granted {
                self.mon.pg_temp_wanted.entry(pgid).or_insert(want);
            }
        }
        if self.mon.up_thru_wanted > map.up_thru(self.cfg.whoami) {
            self.mon.alive_sent = 0;
            self.send_alive();
        }
        self.send_pg_temp();
        if self.state == OsdState::Booting {
            self.mon.boot_sent = false;
            self.start_boot();
        }
    }

    /// The up_thru this OSD wants recorded, and the pg_temp requests sent and
    /// not granted yet (a read-only view for hosts and tests).
    pub fn mon_wants(&self) -> (Epoch, &BTreeMap<PgId, OsdVec>) {
        (self.mon.up_thru_wanted, &self.mon.pg_temp_pending)
    }
}

#[cfg(test)]
mod tests {
    use peering_core::types::OsdId;
    use smallvec::smallvec;

    use super::super::test_support::{map3, next, osd_on, spg};
    use super::super::{OsdConfig, OsdMaps};
    use super::*;

    fn mon(osd: &mut Osd) -> Vec<MonMessage> {
        osd.drain_outputs()
            .into_iter()
            .filter_map(|o| match o {
                OsdOutput::Mon(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn send_alive_once_resent_after_a_map_or_reconnect_until_granted() {
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(0));
        osd.drain_outputs();
        osd.queue_want_up_thru(1);
        assert_eq!(
            mon(&mut osd),
            vec![MonMessage::Alive(AliveMsg {
                version: 1,
                want: 1
            })]
        );
        osd.queue_want_up_thru(1);
        osd.send_alive();
        assert!(mon(&mut osd).is_empty());
        let inc = next(&mut map, |_| {});
        osd.handle_osd_map(OsdMaps::incrementals([inc])).unwrap();
        assert_eq!(
            mon(&mut osd),
            vec![MonMessage::Alive(AliveMsg {
                version: 2,
                want: 1
            })]
        );
        osd.ms_handle_mon_reset();
        assert!(mon(&mut osd).contains(&MonMessage::Alive(AliveMsg {
            version: 2,
            want: 1
        })));
        let grant = next(&mut map, |i| {
            i.new_up_thru.insert(OsdId(0), 1);
        });
        osd.handle_osd_map(OsdMaps::incrementals([grant])).unwrap();
        osd.ms_handle_mon_reset();
        assert!(
            !mon(&mut osd)
                .iter()
                .any(|m| matches!(m, MonMessage::Alive(_)))
        );
    }

    #[test]
    fn send_pg_temp_once_pending_until_the_map_grants_it() {
        let mut map = map3();
        let mut osd = osd_on(&map, OsdConfig::new(0));
        osd.drain_outputs();
        let pgid = spg(0).pgid;
        let want: OsdVec = smallvec![OsdId(1), OsdId(0)];
        osd.queue_want_pg_temp(pgid, want.clone());
        osd.send_pg_temp();
        let sent = mon(&mut osd);
        let [MonMessage::PgTemp(t)] = sent.as_slice() else {
            panic!("{sent:?}");
        };
        assert_eq!(t.pg_temp.get(&pgid), Some(&want));
        // The same request again is already pending.
        osd.queue_want_pg_temp(pgid, want.clone());
        osd.send_pg_temp();
        assert!(mon(&mut osd).is_empty());
        let inc = next(&mut map, |_| {});
        osd.handle_osd_map(OsdMaps::incrementals([inc])).unwrap();
        assert!(
            mon(&mut osd)
                .iter()
                .any(|m| matches!(m, MonMessage::PgTemp(_)))
        );
        let grant = next(&mut map, |i| {
            i.set_pg_temp(pgid, &[1, 0]);
        });
        osd.handle_osd_map(OsdMaps::incrementals([grant])).unwrap();
        assert!(osd.mon_wants().1.is_empty());
        osd.ms_handle_mon_reset();
        assert!(
            !mon(&mut osd)
                .iter()
                .any(|m| matches!(m, MonMessage::PgTemp(_)))
        );
    }
}
