//! `crush_do_rule` (`src/crush/mapper.c`): run a
//! rule for input `x` and produce an ordered list of devices.

mod choose;
mod ctx;
mod firstn;
mod indep;

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::choose_args::{ChooseArg, DEFAULT_CHOOSE_ARGS};
use super::error::CrushError;
use super::map::CrushMap;
use super::rule::RuleStep;
use ctx::Ctx;
use firstn::{FirstnOut, FirstnTries, choose_firstn};
use indep::choose_indep;

/// `CRUSH_ITEM_NONE`: a hole in an indep (erasure-coded) result.
pub const CRUSH_ITEM_NONE: i32 = 0x7fff_ffff;

/// `CRUSH_ITEM_UNDEF`: a position indep has not filled yet (never returned).
pub(crate) const CRUSH_ITEM_UNDEF: i32 = 0x7fff_fffe;

/// The scratch memory of `crush_do_rule` (Ceph's `crush_work` and the `cwin`
/// scratch buffer its callers pass in): the working vectors of the rule's steps
/// and the uniform buckets' permutation. Reuse one across mappings: it grows to
/// the largest result and bucket seen, then a mapping allocates nothing.
#[derive(Debug, Default)]
pub struct CrushWorkspace {
    w: Vec<i32>,
    o: Vec<i32>,
    c: Vec<i32>,
    perm: RefCell<Vec<u32>>,
}

impl CrushWorkspace {
    /// An empty workspace; it grows on first use.
    pub fn new() -> Self {
        CrushWorkspace::default()
    }

    /// Sizes the step vectors for `result_max` results, zeroed.
    fn reset(&mut self, result_max: usize) {
        let n = result_max.max(1);
        for v in [&mut self.w, &mut self.o, &mut self.c] {
            v.clear();
            v.resize(n, 0);
        }
    }
}

/// The per-call knobs `crush_do_rule` starts from the tunables and rule steps adjust.
struct StepKnobs {
    choose_tries: i32,
    choose_leaf_tries: i32,
    local_retries: i32,
    local_fallback_retries: i32,
    vary_r: i32,
    stable: i32,
}

impl CrushMap {
    /// `crush_do_rule(map, rule, x, result, result_max, weight, weight_max)`: map
    /// input `x` through rule `rule`, returning at most `result_max` OSD ids in order.
    ///
    /// `weights` is the 16.16 reweight vector indexed by OSD id (`0x10000` = in,
    /// `0` = out); devices at or past its end count as out, as in Ceph. Indep rules
    /// return `CRUSH_ITEM_NONE` for positions they could not fill; firstn results
    /// may be shorter than requested. No choose_args are used (see
    /// [`CrushMap::do_rule_with_choose_args`]).
    pub fn do_rule(
        &self,
        rule: i32,
        x: u32,
        result_max: usize,
        weights: &[u32],
    ) -> Result<Vec<i32>, CrushError> {
        let mut out = Vec::with_capacity(result_max);
        self.do_rule_into(
            rule,
            x,
            result_max,
            weights,
            &mut CrushWorkspace::new(),
            &mut out,
        )?;
        Ok(out)
    }

    /// [`do_rule`](Self::do_rule) into the caller's `out` (cleared first), with
    /// the caller's reusable `workspace`: Ceph's `crush_do_rule` with its result
    /// and scratch buffers. Once `out` and the workspace have grown, a mapping
    /// allocates nothing.
    pub fn do_rule_into(
        &self,
        rule: i32,
        x: u32,
        result_max: usize,
        weights: &[u32],
        workspace: &mut CrushWorkspace,
        out: &mut Vec<i32>,
    ) -> Result<(), CrushError> {
        self.run_rule(rule, x, result_max, weights, None, workspace, out)
    }

    /// `CrushWrapper::do_rule` with a choose_args index: the weight set registered
    /// under `index` (a pool id), falling back to the default set (-1), or none.
    pub fn do_rule_with_choose_args(
        &self,
        rule: i32,
        x: u32,
        result_max: usize,
        weights: &[u32],
        index: i64,
    ) -> Result<Vec<i32>, CrushError> {
        let mut out = Vec::with_capacity(result_max);
        let mut workspace = CrushWorkspace::new();
        self.do_rule_with_choose_args_into(
            rule,
            x,
            result_max,
            weights,
            index,
            &mut workspace,
            &mut out,
        )?;
        Ok(out)
    }

    /// [`do_rule_with_choose_args`](Self::do_rule_with_choose_args) into the
    /// caller's buffers, as [`do_rule_into`](Self::do_rule_into).
    #[allow(clippy::too_many_arguments)]
    pub fn do_rule_with_choose_args_into(
        &self,
        rule: i32,
        x: u32,
        result_max: usize,
        weights: &[u32],
        index: i64,
        workspace: &mut CrushWorkspace,
        out: &mut Vec<i32>,
    ) -> Result<(), CrushError> {
        let args = self
            .choose_args(index)
            .or_else(|| self.choose_args(DEFAULT_CHOOSE_ARGS));
        self.run_rule(rule, x, result_max, weights, args, workspace, out)
    }

    #[allow(clippy::too_many_arguments)]
    fn run_rule(
        &self,
        rule_id: i32,
        x: u32,
        result_max: usize,
        weights: &[u32],
        args: Option<&BTreeMap<i32, ChooseArg>>,
        ws: &mut CrushWorkspace,
        result: &mut Vec<i32>,
    ) -> Result<(), CrushError> {
        result.clear();
        let rule = self
            .rule(rule_id)
            .ok_or(CrushError::RuleNotFound(rule_id))?;
        ws.reset(result_max);
        let CrushWorkspace { w, o, c, perm } = ws;
        let ctx = Ctx {
            map: self,
            x,
            weights,
            args,
            perm,
        };
        let t = &self.tunables;
        // Ceph's choose_total_tries counted retries, not tries: add one.
        let mut k = StepKnobs {
            choose_tries: (t.choose_total_tries as i32).wrapping_add(1),
            choose_leaf_tries: 0,
            local_retries: t.choose_local_tries as i32,
            local_fallback_retries: t.choose_local_fallback_tries as i32,
            vary_r: i32::from(t.chooseleaf_vary_r),
            stable: i32::from(t.chooseleaf_stable),
        };
        let rmax = i32::try_from(result_max).unwrap_or(i32::MAX);
        let mut wsize = 0usize;
        for step in &rule.steps {
            let (num, type_id, firstn, leaf) = match *step {
                RuleStep::Take(item) => {
                    let ok =
                        (item >= 0 && item < self.max_devices()) || self.bucket(item).is_some();
                    if ok && let Some(s) = w.first_mut() {
                        *s = item;
                        wsize = 1;
                    }
                    continue;
                }
                RuleStep::SetChooseTries(v) => {
                    if v > 0 {
                        k.choose_tries = v;
                    }
                    continue;
                }
                RuleStep::SetChooseLeafTries(v) => {
                    if v > 0 {
                        k.choose_leaf_tries = v;
                    }
                    continue;
                }
                RuleStep::SetChooseLocalTries(v) => {
                    if v >= 0 {
                        k.local_retries = v;
                    }
                    continue;
                }
                RuleStep::SetChooseLocalFallbackTries(v) => {
                    if v >= 0 {
                        k.local_fallback_retries = v;
                    }
                    continue;
                }
                RuleStep::SetChooseLeafVaryR(v) => {
                    if v >= 0 {
                        k.vary_r = v;
                    }
                    continue;
                }
                RuleStep::SetChooseLeafStable(v) => {
                    if v >= 0 {
                        k.stable = v;
                    }
                    continue;
                }
                RuleStep::Emit => {
                    for &item in w.iter().take(wsize) {
                        if result.len() >= result_max {
                            break;
                        }
                        result.push(item);
                    }
                    wsize = 0;
                    continue;
                }
                RuleStep::Noop => continue,
                RuleStep::ChooseFirstN { num, type_id } => (num, type_id, true, false),
                RuleStep::ChooseLeafFirstN { num, type_id } => (num, type_id, true, true),
                RuleStep::ChooseIndep { num, type_id } => (num, type_id, false, false),
                RuleStep::ChooseLeafIndep { num, type_id } => (num, type_id, false, true),
            };
            if wsize == 0 {
                continue;
            }
            let mut osize = 0usize;
            for &wi in w.iter().take(wsize) {
                let mut numrep = num;
                if numrep <= 0 {
                    numrep = numrep.wrapping_add(rmax);
                    if numrep <= 0 {
                        continue;
                    }
                }
                // An entry that is not a bucket (a device, or NONE from indep) is skipped.
                let Some(b) = self.bucket(wi) else { continue };
                let room = result_max.saturating_sub(osize);
                let (Some(o_tail), Some(c_tail)) = (o.get_mut(osize..), c.get_mut(osize..)) else {
                    continue;
                };
                if firstn {
                    let recurse_tries = if k.choose_leaf_tries != 0 {
                        k.choose_leaf_tries
                    } else if t.chooseleaf_descend_once != 0 {
                        1
                    } else {
                        k.choose_tries
                    };
                    let tries = FirstnTries {
                        tries: k.choose_tries as u32,
                        recurse_tries: recurse_tries as u32,
                        local_retries: k.local_retries as u32,
                        local_fallback_retries: k.local_fallback_retries as u32,
                        vary_r: k.vary_r as u32,
                        stable: k.stable != 0,
                    };
                    let mut dst = FirstnOut {
                        out: o_tail,
                        out2: Some(c_tail),
                    };
                    let room_i = i32::try_from(room).unwrap_or(i32::MAX);
                    osize += choose_firstn(
                        &ctx, b, numrep, type_id, &mut dst, 0, room_i, tries, leaf, 0,
                    );
                } else {
                    let out_size = usize::try_from(numrep).unwrap_or(0).min(room);
                    let recurse_tries = if k.choose_leaf_tries != 0 {
                        k.choose_leaf_tries
                    } else {
                        1
                    };
                    choose_indep(
                        &ctx,
                        b,
                        out_size as i32,
                        numrep,
                        type_id,
                        o_tail,
                        0,
                        k.choose_tries as u32,
                        recurse_tries as u32,
                        leaf,
                        Some(c_tail),
                        0,
                    );
                    osize += out_size;
                }
            }
            if leaf {
                // chooseleaf: the leaves, not the failure-domain buckets, move on.
                o.iter_mut()
                    .zip(c.iter())
                    .take(osize)
                    .for_each(|(d, s)| *d = *s);
            }
            std::mem::swap(o, w);
            wsize = osize;
        }
        Ok(())
    }
}
