//! The CRUSH text form (`crushtool -c` input, `crushtool -d` output).

mod ast;
mod compile;
mod lexer;
mod parse;
mod print;

use super::error::CrushError;
use super::map::CrushMap;

/// Compile a CRUSH map from Ceph's text form, as `crushtool -c` does: tunables,
/// devices (with classes), types, buckets (`id`, `id N class C`, `alg`, `hash`,
/// `item NAME weight W [pos P]`), rules (`id`/`ruleset`, `type`, `min_size`,
/// `max_size`, steps) and `choose_args` blocks. Tunables not given keep the legacy
/// (argonaut) values, as in Ceph's compiler. Syntax errors carry their line;
/// semantic errors are typed and wrapped in [`CrushError::AtLine`].
pub fn parse_crush_text(src: &str) -> Result<CrushMap, CrushError> {
    let decls = parse::parse(src)?;
    compile::compile(&decls)
}
