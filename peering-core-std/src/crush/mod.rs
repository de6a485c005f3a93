//! CRUSH: Ceph's placement algorithm, bit-compatible with `crushtool` (`ceph-osd-side.md` §5.3, §5.5).
//!
//! * [`CrushMap::do_rule`] maps an input `x` (a PG's placement seed) through a rule to
//!   an ordered list of OSDs, exactly as `crush_do_rule` does.
//! * [`CrushBuilder`] builds maps in code; [`parse_crush_text`] reads the text form
//!   `crushtool -d` prints and `crushtool -c` compiles.
//! * [`hash`] holds the rjenkins1 hashes and the object-name hashes the OSD map needs.

mod bucket;
mod builder;
mod choose_args;
mod classes;
mod error;
pub mod hash;
mod ln;
mod ln_table;
mod map;
mod mapper;
mod rule;
mod straw;
mod text;
mod tunables;

pub use bucket::{Bucket, BucketAlg};
pub use builder::{CrushBuilder, DEFAULT_TYPES, RuleSpec, StepSpec, weight_from_f32};
pub use choose_args::{ChooseArg, DEFAULT_CHOOSE_ARGS};
pub use error::CrushError;
pub use ln::crush_ln;
pub use map::CrushMap;
pub use mapper::CRUSH_ITEM_NONE;
pub use rule::{RULE_TYPE_ERASURE, RULE_TYPE_REPLICATED, Rule, RuleStep};
pub use text::parse_crush_text;
pub use tunables::{
    HAMMER_ALLOWED_BUCKET_ALGS, LEGACY_ALLOWED_BUCKET_ALGS, Tunables, TunablesProfile,
};
