//! proptest properties of `choose_acting` (§5.10) over arbitrary consistent inputs.

mod acting_support;

mod choose_acting {
    mod properties {
        use super::super::acting_support::*;
        use peering_core::acting::{
            ActingChoice, ActingOutcome, ChooseActingRequest, PeerMissingCounts, PgPlacement,
            choose_acting, collect_infos,
        };
        use peering_core::map::PoolInfo;
        use peering_core::types::{EVersion, OsdId, PgInfo, PgShard};
        use proptest::prelude::*;
        use std::collections::BTreeMap;

        /// An internally consistent info: `tail <= lc <= lu`, lis 0.
        fn arb_info() -> impl Strategy<Value = PgInfo> {
            (
                1u32..4,
                0u64..300,
                0u64..150,
                0u64..20,
                any::<bool>(),
                0u32..3,
                0u32..4,
                0i64..200,
            )
                .prop_map(
                    |(e, v, tail_back, lc_back, complete, les, hles, missing)| {
                        let tail = v.saturating_sub(tail_back);
                        let lc = v.saturating_sub(lc_back).max(tail);
                        let mut i = info(e, v).tail(e, tail).lc(e, lc);
                        i = i.les(les * 3).hles(hles * 2).objects_missing(missing);
                        if !complete {
                            i = i.incomplete();
                        }
                        i
                    },
                )
        }

        fn arb_request() -> impl Strategy<Value = ChooseActingRequest> {
            (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(restrict, async_ok, les)| {
                let mut r = ChooseActingRequest {
                    restrict_to_up_acting: restrict,
                    history_les_bound: les,
                    ..Default::default()
                };
                r.options.async_recovery_supported = async_ok;
                r
            })
        }

        fn shuffled_infos(
            pairs: &[(PgShard, PgInfo)],
            seed: &[usize],
        ) -> BTreeMap<PgShard, PgInfo> {
            let mut v = pairs.to_vec();
            for (i, &s) in seed.iter().enumerate() {
                let n = v.len();
                if n > 1 {
                    v.swap(i % n, s % n);
                }
            }
            v.reverse();
            collect_infos(v).unwrap()
        }

        fn run(
            whoami: PgShard,
            all: &BTreeMap<PgShard, PgInfo>,
            ua: &PgPlacement,
            pool: &PoolInfo,
            req: &ChooseActingRequest,
        ) -> ActingChoice {
            choose_acting(whoami, all, ua, pool, req, &PeerMissingCounts::new())
                .expect("consistent input is never refused")
        }

        /// Infos for osd.0–5, up, acting, size, min_size, request, shuffle seed.
        type ReplicatedCase = (
            Vec<(PgShard, PgInfo)>,
            Vec<i32>,
            Vec<i32>,
            u32,
            u32,
            ChooseActingRequest,
            Vec<usize>,
        );

        fn replicated_case() -> impl Strategy<Value = ReplicatedCase> {
            (
                prop::collection::vec(arb_info(), 6),
                Just((0..6).collect::<Vec<i32>>()).prop_shuffle(),
                0usize..5,
                Just((0..6).collect::<Vec<i32>>()).prop_shuffle(),
                0usize..5,
                (1u32..5).prop_flat_map(|s| (Just(s), 1u32..=s)),
                arb_request(),
                prop::collection::vec(0usize..64, 8),
            )
                .prop_map(|(infos, up, nu, acting, na, (size, min), req, seed)| {
                    let pairs = infos
                        .into_iter()
                        .enumerate()
                        .map(|(o, i)| (rep(o as i32), i))
                        .collect();
                    (
                        pairs,
                        up[..nu].to_vec(),
                        acting[..na].to_vec(),
                        size,
                        min,
                        req,
                        seed,
                    )
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn never_panics_on_arbitrary_input(
                raw in prop::collection::vec(
                    ((-2i32..8, -2i8..6), (0u32..4, 0u64..9, 0u32..4, 0u64..9, 0u32..4, 0u64..9),
                     (0u32..6, 0u32..6, 0u32..6, 0u32..6, any::<bool>(), -5i64..300)),
                    0..10),
                up in prop::collection::vec(-1i32..8, 0..7),
                acting in prop::collection::vec(-1i32..8, 0..7),
                (erasure, k, m, size, min) in (any::<bool>(), 0u32..4, 0u32..3, 0u32..7, 0u32..7),
                req in arb_request(),
                whoami in (0i32..8, -1i8..6),
            ) {
                let mut pool = if erasure { pool_ec(k.max(1), m) } else { pool_rep(size.max(1)) };
                if erasure { pool.kind = peering_core::map::PoolKind::Erasure { k, m }; }
                pool.size = size;
                pool.min_size = min;
                let mut all = BTreeMap::new();
                for ((o, sh), (e, v, te, tv, ce, cv), (les, lis, hles, sis, complete, missing)) in raw {
                    let mut i = info(e, v).tail(te, tv).lc(ce, cv).les(les).hles(hles).objects_missing(missing);
                    i.last_interval_started = lis;
                    i.history.same_interval_since = sis;
                    if !complete { i = i.incomplete(); }
                    all.insert(PgShard::new(OsdId(o), peering_core::types::ShardId(sh)), i);
                }
                let ua = if erasure { ec_placement(&up, &acting) } else { placement(&up, &acting) };
                let me = PgShard::new(OsdId(whoami.0), peering_core::types::ShardId(whoami.1));
                if let Ok(c) = choose_acting(me, &all, &ua, &pool, &req, &PeerMissingCounts::new()) {
                    let _ = peering_core::acting::get_log_outcome(&c, me, &all);
                }
            }


            #[test]
            fn replicated_choice_is_bounded_unique_led_by_primary_and_usable(
                (pairs, up, acting, size, min, req, seed) in replicated_case()
            ) {
                let mut pool = pool_rep(size);
                pool.min_size = min;
                let ua = placement(&up, &acting);
                let whoami = acting.first().or(up.first()).map_or(rep(0), |&o| rep(o));
                let all = collect_infos(pairs.iter().cloned()).unwrap();
                let c = run(whoami, &all, &ua, &pool, &req);

                // Order of supply never matters.
                prop_assert_eq!(&c, &run(whoami, &shuffled_infos(&pairs, &seed), &ua, &pool, &req));

                if c.outcome == ActingOutcome::NoAuthoritativeLog {
                    prop_assert!(c.want.is_empty());
                    return Ok(());
                }
                let want = &c.want;
                if c.outcome != ActingOutcome::NotRecoverable {
                    prop_assert!(want.len() <= size as usize);
                }
                for (i, o) in want.iter().enumerate() {
                    prop_assert!(!want[..i].contains(o), "{:?} twice in {:?}", o, want);
                }
                let primary = c.primary.unwrap();
                let auth = c.auth_log_shard.unwrap();
                if !want.is_empty() && !c.async_recovery_targets.contains(&primary) {
                    prop_assert_eq!(want[0], primary.osd);
                }
                let oldest: EVersion = all[&primary].log_tail.min(all[&auth].log_tail);
                for o in want {
                    let i = &all[&rep(o.0)];
                    prop_assert!(!i.is_incomplete() && i.last_update >= oldest, "{:?} unusable", o);
                }
                for b in &c.want_backfill {
                    prop_assert!(up.contains(&b.osd.0));
                    let i = &all[b];
                    prop_assert!(i.is_incomplete() || i.last_update < oldest);
                    prop_assert!(!want.contains(&b.osd));
                }
                for &u in &up {
                    prop_assert!(c.acting_recovery_backfill.contains(&rep(u)));
                }
                for t in &c.async_recovery_targets {
                    prop_assert!(!want.contains(&t.osd) && c.acting_recovery_backfill.contains(t));
                }
            }

            #[test]
            fn erasure_choice_keeps_positions_and_usable_shards(
                (k, m) in (1u32..4, 0u32..3),
                up_pick in prop::collection::vec(0i32..8, 6),
                acting_pick in prop::collection::vec(0i32..8, 6),
                stray_pick in prop::collection::vec((0i32..6, 0i8..6), 0..5),
                infos_pool in prop::collection::vec(arb_info(), 24),
                req in arb_request(),
                seed in prop::collection::vec(0usize..64, 8),
            ) {
                let pool = pool_ec(k, m);
                let size = (k + m) as usize;
                // Values 6 and 7 are holes.
                let hole = |o: i32| if o >= 6 { -1 } else { o };
                let up: Vec<i32> = up_pick[..size].iter().map(|&o| hole(o)).collect();
                let acting: Vec<i32> = acting_pick[..size].iter().map(|&o| hole(o)).collect();
                let mut shards: Vec<PgShard> = vec![ec(0, 0)];
                for v in [&up, &acting] {
                    for (i, &o) in v.iter().enumerate() {
                        if o >= 0 { shards.push(ec(o, i as i8)); }
                    }
                }
                for &(o, s) in &stray_pick {
                    if (s as usize) < size { shards.push(ec(o, s)); }
                }
                shards.sort();
                shards.dedup();
                let pairs: Vec<_> = shards.iter().zip(infos_pool.iter().cycle()).map(|(s, i)| (*s, i.clone())).collect();
                let ua = ec_placement(&up, &acting);
                let whoami = if ua.acting_primary.is_valid() { ua.acting_primary }
                    else if ua.up_primary.is_valid() { ua.up_primary } else { ec(0, 0) };
                let all = collect_infos(pairs.iter().cloned()).unwrap();
                let c = run(whoami, &all, &ua, &pool, &req);
                prop_assert_eq!(&c, &run(whoami, &shuffled_infos(&pairs, &seed), &ua, &pool, &req));

                let Some(auth) = c.auth_log_shard else { return Ok(()); };
                prop_assert_eq!(c.want.len(), size);
                let tail = all[&auth].log_tail;
                for (i, &o) in c.want.iter().enumerate() {
                    if o == OsdId::NONE { continue; }
                    let inf = &all[&ec(o.0, i as i8)];
                    prop_assert!(!inf.is_incomplete() && inf.last_update >= tail);
                }
                for b in &c.want_backfill {
                    prop_assert_eq!(up[b.shard.0 as usize], b.osd.0);
                }
            }
        }
    }
}
