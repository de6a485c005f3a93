//! The declarations of a CRUSH text map, before names are resolved.

use super::super::builder::StepSpec;

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
    Bucket {
        type_name: String,
        name: String,
        ids: Vec<(i32, Option<String>)>,
        alg: Option<String>,
        hash: u8,
        items: Vec<ItemDecl>,
        line: usize,
    },
    Rule {
        name: String,
        id: i32,
        rule_type: u8,
        min_size: u32,
        max_size: u32,
        steps: Vec<StepSpec>,
        /// Line of each step.
        step_lines: Vec<usize>,
        line: usize,
    },
    ChooseArgs {
        index: i64,
        args: Vec<ChooseArgDecl>,
    },
}
