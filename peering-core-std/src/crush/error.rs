//! Errors of the CRUSH module: malformed maps, text that does not parse, and mapping
//! requests that name what does not exist.

/// Everything that can go wrong building, parsing or evaluating a CRUSH map. Ceph's
/// compiler prints a message and returns `-EINVAL`/`-ERANGE`; here each case is typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrushError {
    /// The text form could not be parsed (`crushtool -c` syntax error).
    #[error("line {line}: {message}")]
    Parse {
        /// 1-based line number in the input text.
        line: usize,
        /// What was expected or found.
        message: String,
    },
    /// A semantic error found while compiling text, with the line it came from.
    #[error("line {line}: {error}")]
    AtLine {
        /// 1-based line number of the declaration.
        line: usize,
        /// The underlying error.
        error: Box<CrushError>,
    },
    /// A rule, bucket or choose_args entry names an item (device or bucket) that does
    /// not exist.
    #[error("unknown item '{0}'")]
    UnknownItem(String),
    /// A bucket or rule names a type that is not declared.
    #[error("unknown type '{0}'")]
    UnknownType(String),
    /// A `take ... class C` names a class no device has, or the bucket has no shadow
    /// tree for it.
    #[error("no bucket for class '{class}' under '{item}'")]
    UnknownClass {
        /// The bucket named by `take`.
        item: String,
        /// The device class requested.
        class: String,
    },
    /// Two devices, buckets or rules were given the same id or name.
    #[error("duplicate {what} '{name}'")]
    Duplicate {
        /// "item id", "name", "rule id"...
        what: &'static str,
        /// The colliding id or name.
        name: String,
    },
    /// A bucket contains itself, directly or through its descendants.
    #[error("bucket {0} is part of a cycle")]
    Cycle(i32),
    /// A bucket id is not negative, or a device id is negative.
    #[error("invalid id {0}")]
    InvalidId(i32),
    /// A bucket definition is inconsistent (uniform weights differ, sizes overflow,
    /// a weight is out of range...).
    #[error("bad bucket '{name}': {reason}")]
    BadBucket {
        /// Bucket name.
        name: String,
        /// Why it was rejected.
        reason: String,
    },
    /// `do_rule` was asked for a rule id that does not exist (`crush_do_rule` would
    /// dereference a null rule).
    #[error("rule {0} does not exist")]
    RuleNotFound(i32),
    /// A rule step refers to a bucket or type the map does not have.
    #[error("rule {rule}: {reason}")]
    BadRule {
        /// Rule id.
        rule: i32,
        /// Why the rule cannot run.
        reason: String,
    },
}

impl CrushError {
    /// Attach the source line a declaration came from (0 = built in code, no line).
    /// Syntax errors and errors that already carry a line are left as they are.
    pub(crate) fn at_line(self, line: usize) -> CrushError {
        match self {
            e @ (CrushError::Parse { .. } | CrushError::AtLine { .. }) => e,
            e if line == 0 => e,
            e => CrushError::AtLine {
                line,
                error: Box::new(e),
            },
        }
    }
}
