//! Semantics of the CRUSH text form (`CrushCompiler::parse_*`): declarations fed to
//! the [`CrushBuilder`] in file order, as the compiler does.

use super::super::bucket::BucketAlg;
use super::super::builder::{CrushBuilder, weight_from_f32};
use super::super::choose_args::ChooseArg;
use super::super::error::CrushError;
use super::super::map::CrushMap;
use super::super::tunables::Tunables;
use super::ast::{BucketDecl, Decl, ItemDecl};

fn at(line: usize) -> impl Fn(CrushError) -> CrushError {
    move |e| e.at_line(line)
}

/// Build the map from parsed declarations.
pub(crate) fn compile(decls: &[Decl]) -> Result<CrushMap, CrushError> {
    let mut b = CrushBuilder::new();
    // The compiler starts from legacy tunables (the decompiler prints only the ones
    // that differ from them), so a text without `tunable` lines is an argonaut map.
    b.set_tunables(Tunables::legacy());
    // Explicit bucket ids (plain and per-class) are reserved before any automatic id
    // is handed out (`find_used_bucket_ids`).
    for d in decls {
        if let Decl::Bucket(BucketDecl { ids, .. }) = d {
            for &(id, _) in ids {
                b.reserve_bucket_id(id);
            }
        }
    }
    for d in decls {
        match d {
            Decl::Tunable { name, value, line } => set_tunable(&mut b, name, *value, *line)?,
            Decl::Device {
                id,
                name,
                class,
                line,
            } => {
                b.add_device(*id, name, class.as_deref())
                    .map_err(at(*line))?;
            }
            Decl::Type { id, name } => {
                b.add_type(*id, name);
            }
            Decl::Bucket(bd) => {
                let alg_name = bd.alg.as_deref().unwrap_or("");
                let alg = BucketAlg::from_name(alg_name).ok_or_else(|| CrushError::Parse {
                    line: bd.line,
                    message: format!("unknown bucket alg '{alg_name}' in bucket '{}'", bd.name),
                })?;
                let ordered = order_items(&bd.items, &bd.name, bd.line)?;
                let refs: Vec<(&str, Option<u32>)> = ordered
                    .iter()
                    .map(|i| (i.name.as_str(), i.weight.map(weight_from_f32)))
                    .collect();
                let plain = bd.ids.iter().find(|(_, c)| c.is_none()).map(|&(id, _)| id);
                let id = b
                    .add_bucket_full(plain, &bd.name, &bd.type_name, alg, bd.hash, &refs)
                    .map_err(at(bd.line))?;
                for (sid, class) in &bd.ids {
                    if let Some(class) = class {
                        b.set_shadow_id(id, class, *sid).map_err(at(bd.line))?;
                    }
                }
            }
            Decl::Rule(r) => {
                b.add_rule_at_line(r.spec.clone(), r.step_lines.clone())
                    .map_err(at(r.line))?;
            }
            Decl::ChooseArgs { index, args } => {
                for a in args {
                    let arg = ChooseArg {
                        ids: a.ids.clone(),
                        weight_set: a
                            .weight_set
                            .iter()
                            .map(|ws| ws.iter().map(|&w| weight_from_f32(w)).collect())
                            .collect(),
                    };
                    b.add_choose_arg_at_line(*index, a.bucket_id, arg, a.line);
                }
            }
        }
    }
    b.build()
}

/// `tunable <name> <value>`; an unknown name is an error as in the compiler.
fn set_tunable(
    b: &mut CrushBuilder,
    name: &str,
    value: i64,
    line: usize,
) -> Result<(), CrushError> {
    let t = b.tunables_mut();
    let v32 = value as u32;
    let v8 = value as u8;
    match name {
        "choose_local_tries" => t.choose_local_tries = v32,
        "choose_local_fallback_tries" => t.choose_local_fallback_tries = v32,
        "choose_total_tries" => t.choose_total_tries = v32,
        "chooseleaf_descend_once" => t.chooseleaf_descend_once = v32,
        "chooseleaf_vary_r" => t.chooseleaf_vary_r = v8,
        "chooseleaf_stable" => t.chooseleaf_stable = v8,
        "straw_calc_version" => t.straw_calc_version = v8,
        "allowed_bucket_algs" => t.allowed_bucket_algs = v32,
        _ => {
            return Err(CrushError::Parse {
                line,
                message: format!("tunable {name} not recognized"),
            });
        }
    }
    Ok(())
}

/// Place items: explicit `pos` first, the rest fill the free slots in order.
fn order_items<'a>(
    items: &'a [ItemDecl],
    bucket: &str,
    line: usize,
) -> Result<Vec<&'a ItemDecl>, CrushError> {
    if items.iter().all(|i| i.pos.is_none()) {
        return Ok(items.iter().collect());
    }
    let size = items.len();
    let mut slots: Vec<Option<&ItemDecl>> = vec![None; size];
    let bad = |m: String| CrushError::Parse { line, message: m };
    for it in items {
        if let Some(p) = it.pos {
            let slot = usize::try_from(p)
                .ok()
                .and_then(|p| slots.get_mut(p))
                .ok_or_else(|| {
                    bad(format!(
                        "item '{}' in bucket '{bucket}' has pos {p} >= size {size}",
                        it.name
                    ))
                })?;
            if slot.is_some() {
                return Err(bad(format!(
                    "item '{}' in bucket '{bucket}' has an occupied pos {p}",
                    it.name
                )));
            }
            *slot = Some(it);
        }
    }
    let mut free = items.iter().filter(|i| i.pos.is_none());
    for slot in slots.iter_mut().filter(|s| s.is_none()) {
        *slot = free.next();
    }
    Ok(slots.into_iter().flatten().collect())
}
