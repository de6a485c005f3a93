//! The declarations of a CRUSH text map, before names are resolved.

use super::super::builder::RuleSpec;

/// One item line of a bucket: `item <name> [weight <w>] [pos <p>]`.
#[derive(Debug, Clone)]
pub(crate) struct ItemDecl {
    pub(crate) name: String,
    pub(crate) weight: Option<f32>,
    pub(crate) pos: Option<i32>,
}

/// One bucket of a `choose_args` block.
#[derive(Debug, Clone)]
pub(crate) struct ChooseArgDecl {
    pub(crate) bucket_id: i32,
    pub(crate) weight_set: Vec<Vec<f32>>,
    pub(crate) ids: Option<Vec<i32>>,
    pub(crate) line: usize,
}

/// `<type> <name> { id ..., alg ..., hash ..., item ... }`.
#[derive(Debug, Clone)]
pub(crate) struct BucketDecl {
    pub(crate) type_name: String,
    pub(crate) name: String,
    /// `id N` and `id N class C` lines.
    pub(crate) ids: Vec<(i32, Option<String>)>,
    pub(crate) alg: Option<String>,
    pub(crate) hash: u8,
    pub(crate) items: Vec<ItemDecl>,
    pub(crate) line: usize,
}

/// `rule [name] { id N type T min_size A max_size B step ... }`.
#[derive(Debug, Clone)]
pub(crate) struct RuleDecl {
    pub(crate) spec: RuleSpec,
    /// Line of each step.
    pub(crate) step_lines: Vec<usize>,
    pub(crate) line: usize,
}

/// A top-level declaration with the line it starts on.
#[derive(Debug, Clone)]
pub(crate) enum Decl {
    Tunable {
        name: String,
        value: i64,
        line: usize,
    },
    Device {
        id: i32,
        name: String,
        class: Option<String>,
        line: usize,
    },
    Type {
        id: i32,
        name: String,
    },
    Bucket(BucketDecl),
    Rule(RuleDecl),
    ChooseArgs {
        index: i64,
        args: Vec<ChooseArgDecl>,
    },
}
