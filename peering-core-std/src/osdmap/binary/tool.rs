//! What `osdmaptool` does to a map in memory before it tests or prints it:
//! `--mark-up-in`, `--mark-out`, `--import-crush`, and the epoch bump of a
//! modified map. These change the map directly (`set_state`, `set_weight`),
//! not through an incremental, exactly as the tool does.

use std::sync::Arc;

use crate::crush::CrushMap;

use super::super::CrushHandle;
use super::super::osd::{OSD_EXISTS, OSD_UP, WEIGHT_IN, WEIGHT_OUT};
use super::error::{OsdMapDecodeError, OsdMapDecodeErrorKind as Kind};
use super::full::DecodedOsdMap;
use super::incremental::DecodedIncremental;

impl DecodedOsdMap {
    /// `osdmaptool --mark-up-in`: every OSD slot gets the `EXISTS` and `UP`
    /// bits (16.2's tool creates the OSDs a map lacks) and a full weight, and a
    /// device whose CRUSH weight is 0 gets a CRUSH weight of 1
    /// (`adjust_item_weightf(i, 1.0)`, weight sets included).
    pub fn mark_up_in(&mut self) {
        let mut crush = (*self.crush).clone();
        let mut crush_changed = false;
        let m = &mut self.map;
        for i in 0..m.osd_state.len() {
            if let Some(s) = m.osd_state.get_mut(i) {
                *s |= OSD_EXISTS | OSD_UP;
            }
            if let Some(w) = m.osd_weight.get_mut(i) {
                *w = WEIGHT_IN;
            }
            let id = i32::try_from(i).unwrap_or(i32::MAX);
            if crush.item_weight(id) == Some(0) {
                crush.adjust_item_weight(id, 0x10000, true);
                crush_changed = true;
            }
        }
        if crush_changed {
            self.set_crush(crush);
        }
    }

    /// `osdmaptool --mark-out N`: the OSD gets the `UP` bit and weight 0. An
    /// id outside `0..max_osd` is ignored, as by the tool; returns whether it
    /// was applied.
    pub fn mark_out(&mut self, osd: i32) -> bool {
        let Some(i) = usize::try_from(osd)
            .ok()
            .filter(|i| *i < self.map.osd_state.len())
        else {
            return false;
        };
        if let Some(s) = self.map.osd_state.get_mut(i) {
            *s |= OSD_UP;
        }
        if let Some(w) = self.map.osd_weight.get_mut(i) {
            *w = WEIGHT_OUT;
        }
        true
    }

    /// `osdmaptool --import-crush`: refuses a CRUSH map with more devices than
    /// the map has OSD slots, then applies it as the next epoch's incremental.
    pub fn import_crush(&mut self, crush: CrushMap) -> Result<(), OsdMapDecodeError> {
        if crush.max_devices() > self.map.max_osd {
            return Err(OsdMapDecodeError {
                offset: 0,
                kind: Kind::OutOfRange(format!(
                    "crushmap max_devices {} > osdmap max_osd {}",
                    crush.max_devices(),
                    self.map.max_osd
                )),
            });
        }
        let mut inc = DecodedIncremental::new(self.map.epoch.wrapping_add(1));
        inc.fsid = self.fsid;
        inc.crush = Some(crush);
        self.apply_incremental(&inc)
    }

    /// `OSDMap::inc_epoch`: what `osdmaptool` does to a map it modified
    /// before printing or writing it.
    pub fn inc_epoch(&mut self) {
        self.map.epoch = self.map.epoch.wrapping_add(1);
    }

    fn set_crush(&mut self, crush: CrushMap) {
        let crush = Arc::new(crush);
        self.map.crush = Some(CrushHandle(crush.clone()));
        self.crush = crush;
    }
}
