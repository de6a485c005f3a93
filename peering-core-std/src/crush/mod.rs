//! CRUSH: Ceph's placement algorithm, bit-compatible with `crushtool`.
//!
//! * [`CrushMap::do_rule`] maps an input `x` (a PG's placement seed) through a rule to
//!   an ordered list of OSDs, exactly as `crush_do_rule` does.
//! * [`CrushBuilder`] builds maps in code; [`parse_crush_text`] reads the text form
//!   `crushtool -d` prints and `crushtool -c` compiles; [`decode_crush`] and
//!   [`encode_crush`] read and write the binary form (`crushtool -c`'s output,
//!   `ceph osd getcrushmap`).
//! * [`hash`] holds the rjenkins1 hashes and the object-name hashes the OSD map needs.
//!
//! ```
//! use peering_core_std::crush::{CrushBuilder, CRUSH_ITEM_NONE};
//!
//! let mut b = CrushBuilder::with_default_types();
//! let mut hosts = Vec::new();
//! for h in 0..4 {
//!     let mut osds = Vec::new();
//!     for k in 0..2 {
//!         let id = h * 2 + k;
//!         b.add_device(id, &format!("osd.{id}"), Some("ssd"))?;
//!         osds.push(format!("osd.{id}"));
//!     }
//!     let items: Vec<(&str, Option<u32>)> = osds.iter().map(|o| (o.as_str(), None)).collect();
//!     b.add_bucket(&format!("host{h}"), "host", &items)?;
//!     hosts.push(format!("host{h}"));
//! }
//! let items: Vec<(&str, Option<u32>)> = hosts.iter().map(|h| (h.as_str(), None)).collect();
//! b.add_bucket("default", "root", &items)?;
//! let rule = b.add_replicated_rule("replicated_rule", "default", "host", Some("ssd"))?;
//! let map = b.build()?;
//!
//! let weights = vec![0x10000; map.max_devices() as usize];
//! let osds = map.do_rule(rule, 42, 3, &weights)?;
//! assert_eq!(osds.len(), 3);
//! assert!(osds.iter().all(|&o| o != CRUSH_ITEM_NONE));
//! // One replica per host.
//! let hosts: std::collections::BTreeSet<_> =
//!     osds.iter().map(|&o| map.parent_of_type(o, "host")).collect();
//! assert_eq!(hosts.len(), 3);
//! # Ok::<(), peering_core_std::crush::CrushError>(())
//! ```

mod adjust;
mod ancestry;
mod binary;
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

pub use binary::{
    CRUSH_MAGIC, CrushDecodeError, CrushDecodeErrorKind, CrushEncodeError, decode_crush,
    encode_crush,
};
pub use bucket::{Bucket, BucketAlg};
pub use builder::{CrushBuilder, DEFAULT_TYPES, RuleSpec, StepSpec, weight_from_f32};
pub use choose_args::{ChooseArg, DEFAULT_CHOOSE_ARGS};
pub use error::CrushError;
pub use ln::crush_ln;
pub use map::{CrushMap, is_valid_crush_name};
pub use mapper::{CRUSH_ITEM_NONE, CrushWorkspace};
pub use rule::{RULE_TYPE_ERASURE, RULE_TYPE_REPLICATED, Rule, RuleStep};
pub use text::parse_crush_text;
pub use tunables::{
    HAMMER_ALLOWED_BUCKET_ALGS, LEGACY_ALLOWED_BUCKET_ALGS, Tunables, TunablesProfile,
};
