//! The simulator's own tests: refusals, determinism, and seeds that pass.

use super::*;

fn quick(seed: u64) -> SimConfig {
    let mut c = SimConfig::new(seed, 5, 8);
    c.duration = Timespan(60 * SEC);
    c
}

#[test]
fn debug_one_seed() {
    let mut c = quick(18);
    c.transcript = true;
    let r = Sim::new(c).unwrap().run();
    for l in r.transcript.iter().filter(|l| {
        l.contains(" osd.7 ")
            || l.contains("fault")
            || l.contains("publish")
            || l.contains("crash")
            || l.contains("restart")
    }) {
        eprintln!("{l}");
    }
    eprintln!(
        "{:#?}",
        (
            r.events,
            r.messages,
            r.faults,
            &r.fault_kinds,
            r.writes,
            r.epoch,
            r.clean,
            r.sim_time / SEC
        )
    );
    eprintln!("{:#?}", r.violations);
    for s in &r.stuck {
        eprintln!("{}", s.query);
    }
    eprintln!("{:#?}", r.waiting_on);
    assert!(r.passed());
}

#[test]
fn debug_many() {
    let mut bad = 0;
    for seed in 0..40 {
        let r = Sim::new(quick(seed)).unwrap().run();
        if !r.passed() {
            bad += 1;
            let v = r
                .violations
                .first()
                .map(|v| format!("{:?} {:?} {}", v.rule, v.pgid, v.detail));
            eprintln!(
                "seed {seed}: {:?} stuck {:?} waiting {:?}",
                v,
                r.stuck
                    .iter()
                    .map(|s| (s.pgid, s.state.clone()))
                    .collect::<Vec<_>>(),
                r.waiting_on
            );
        }
    }
    assert_eq!(bad, 0);
}
