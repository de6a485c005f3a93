//! No import cycle among the machine's files.
//!
//! Reads `src/machine/**/*.rs` at test time and draws an edge from a file to the
//! module file each `super::…` or `crate::machine::…` path names (the deepest
//! module of the path that exists; an item of a parent module, such as a
//! re-export in `mod.rs`, is an edge to that parent). Comments and `#[cfg(test)]`
//! modules at the end of a file are left out; `mod x;` declarations are not
//! imports. The graph must be acyclic: a state file may use the engine's
//! vocabulary, and the chart may list the states, but nothing the states use may
//! use the chart back.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type Module = Vec<String>;

/// Every `.rs` file under `dir`, as (module path, source).
fn modules(dir: &Path, prefix: &Module, out: &mut BTreeMap<Module, String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("read machine dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name")
            .to_string();
        if path.is_dir() {
            let mut m = prefix.clone();
            m.push(name);
            modules(&path, &m, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut m = prefix.clone();
            if name != "mod" {
                m.push(name);
            }
            out.insert(m, fs::read_to_string(&path).expect("read source"));
        }
    }
}

/// The source without comments and without a trailing `#[cfg(test)]` module.
fn code(src: &str) -> String {
    let mut out = String::new();
    for line in src.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let line = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The paths named after `start` in `text`: `a::b::c`, or each member of a
/// `{a, b::c}` group (only its first segments matter).
fn paths_after(text: &str, start: usize) -> Vec<Vec<String>> {
    let rest = &text[start..];
    let mut segs = Vec::new();
    let mut i = 0;
    let bytes = rest.as_bytes();
    loop {
        let s = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i > s {
            segs.push(rest[s..i].to_string());
        }
        if rest[i..].starts_with("::") {
            i += 2;
            if rest[i..].starts_with('{') {
                // A group: split its top level at commas.
                let mut depth = 0;
                let mut item = String::new();
                let mut out = Vec::new();
                for c in rest[i..].chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            if depth == 1 {
                                continue;
                            }
                        }
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => {
                            out.push(std::mem::take(&mut item));
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
                out.push(item);
                return out
                    .iter()
                    .map(|it| {
                        let mut p = segs.clone();
                        p.extend(
                            it.trim()
                                .split("::")
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty() && s != "self"),
                        );
                        p
                    })
                    .collect();
            }
            continue;
        }
        return vec![segs];
    }
}

/// The deepest module `path` names from `base`, and whether every segment of
/// the path was a module.
fn resolve(mods: &BTreeMap<Module, String>, base: Module, path: &[String]) -> (Module, bool) {
    let mut target = base;
    for seg in path {
        let mut next = target.clone();
        next.push(seg.clone());
        if mods.contains_key(&next) {
            target = next;
        } else {
            return (target, false);
        }
    }
    (target, true)
}

/// The module files each file of the machine imports from.
fn edges(mods: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut graph = BTreeMap::new();
    for (m, src) in mods {
        let text = code(src);
        let mut targets = BTreeSet::new();
        let mut found: Vec<(Module, usize)> = Vec::new();
        for (i, _) in text.match_indices("crate::machine::") {
            found.push((vec!["machine".to_string()], i + "crate::machine::".len()));
        }
        for (i, _) in text.match_indices("super::") {
            if text[..i].ends_with("super::") {
                continue; // counted from the first `super::` of a chain
            }
            let mut base = m.clone();
            let mut j = i;
            while text[j..].starts_with("super::") {
                base.pop();
                j += "super::".len();
            }
            found.push((base, j));
        }
        // Names that stand for a module in this file: its child modules, and
        // every module it imports by name (`use super::states;`).
        let mut aliases: BTreeMap<String, Module> = mods
            .keys()
            .filter(|k| k.len() == m.len() + 1 && k.starts_with(m))
            .filter_map(|k| Some((k.last()?.clone(), k.clone())))
            .collect();
        for (base, at) in found {
            for path in paths_after(&text, at) {
                let (target, whole) = resolve(mods, base.clone(), &path);
                if whole && let Some(last) = path.last() {
                    aliases.insert(last.clone(), target.clone());
                }
                if target != *m {
                    targets.insert(target);
                }
            }
        }
        for (alias, module) in &aliases {
            let pat = format!("{alias}::");
            for (i, _) in text.match_indices(&pat) {
                let before = text[..i].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                for path in paths_after(&text, i + pat.len()) {
                    let (target, _) = resolve(mods, module.clone(), &path);
                    if target != *m {
                        targets.insert(target);
                    }
                }
            }
        }
        graph.insert(m.clone(), targets);
    }
    graph
}

/// A cycle in `graph`, if there is one.
fn find_cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        n: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        done: &mut BTreeSet<Module>,
        path: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(pos) = path.iter().position(|p| p == n) {
            let mut cycle = path[pos..].to_vec();
            cycle.push(n.clone());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.clone());
        for next in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.clone());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut done, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

fn machine_graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/machine");
    let mut mods = BTreeMap::new();
    modules(&dir, &vec!["machine".to_string()], &mut mods);
    edges(&mods)
}

#[test]
fn machine_has_no_import_cycle() {
    let graph = machine_graph();
    if let Some(cycle) = find_cycle(&graph) {
        let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
        panic!("import cycle: {}", names.join(" -> "));
    }
}

#[test]
fn the_checker_sees_imports_and_cycles() {
    let graph = machine_graph();
    let m = |s: &str| s.split("::").map(String::from).collect::<Module>();
    // The engine runs the chart; the chart lists the states (through `states::x`
    // paths); a state uses the handler context; `mod.rs` re-exports its children:
    // all seen as edges.
    assert!(graph[&m("machine::engine")].contains(&m("machine::chart")));
    assert!(graph[&m("machine::chart")].contains(&m("machine::states::get_info")));
    assert!(graph[&m("machine::states::get_info")].contains(&m("machine::cx")));
    assert!(graph[&m("machine")].contains(&m("machine::pg")));
    // And a cycle is found when there is one.
    let mut cyclic = graph.clone();
    cyclic
        .entry(m("machine::cx"))
        .or_default()
        .insert(m("machine::chart"));
    assert!(find_cycle(&cyclic).is_some());
}
