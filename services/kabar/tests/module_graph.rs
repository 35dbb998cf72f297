//! No import circles between the modules of the `kabar` library: the graph of `mod`
//! declarations and `crate::`/`super::` paths (in `use` lines and inline) has no cycle. A
//! parent may use its children; a child that reaches back into its parent, or two modules that
//! use each other, fail this test with the edges of the circle. Test modules are left out.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// Every library module (by path) and its source up to its unit tests, comments removed.
fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            match module.last().map(String::as_str) {
                Some("main") if module.len() == 1 => continue,
                Some("lib") if module.len() == 1 => module.clear(),
                Some("mod") => {
                    module.pop();
                }
                _ => {}
            }
            if module.iter().any(|segment| segment == "tests") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: String = text
                .lines()
                .map(|line| line.split("//").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n");
            out.insert(module, code);
        }
    }
    out
}

/// The paths of a `use` tree: `a::{b, c::{d as e}}` gives `a::b`, `a::c::d`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![
            tree.split(" as ")
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned(),
        ];
    };
    let prefix = tree[..open].trim().trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let (mut parts, mut level, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => level += 1,
            '}' => level -= 1,
            ',' if level == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .flat_map(expand)
        .map(|sub| {
            if prefix.is_empty() {
                sub
            } else {
                format!("{prefix}::{sub}")
            }
        })
        .collect()
}

/// The module a path in `from` names: its longest prefix that is a module.
fn resolve(modules: &BTreeMap<Module, String>, from: &Module, path: &str) -> Option<Module> {
    let mut segments = path.split("::").map(str::trim).filter(|s| !s.is_empty());
    let first = segments.next()?;
    let mut target: Module = match first {
        "crate" => Vec::new(),
        "self" => from.clone(),
        "super" => from[..from.len().saturating_sub(1)].to_vec(),
        child => {
            let mut module = from.clone();
            module.push(child.to_owned());
            if !modules.contains_key(&module) {
                return None; // another crate, or an item of this module
            }
            module
        }
    };
    for segment in segments {
        if segment == "super" {
            target.pop();
            continue;
        }
        let mut next = target.clone();
        next.push(segment.to_owned());
        if modules.contains_key(&next) {
            target = next;
        } else {
            break;
        }
    }
    Some(target)
}

fn edges(modules: &BTreeMap<Module, String>) -> BTreeSet<(Module, Module)> {
    let uses = regex::Regex::new(r"\buse\s+([^;]+);").unwrap();
    let paths = regex::Regex::new(r"\b(?:crate|super)(?:::\w+)+").unwrap();
    let mut edges = BTreeSet::new();
    for (module, code) in modules {
        if let Some((_, parent)) = module.split_last() {
            edges.insert((parent.to_vec(), module.clone()));
        }
        let mut named: Vec<String> = uses
            .captures_iter(code)
            .flat_map(|c| expand(&c[1]))
            .collect();
        named.extend(paths.find_iter(code).map(|m| m.as_str().to_owned()));
        for path in named {
            if let Some(target) = resolve(modules, module, &path) {
                if &target != module {
                    edges.insert((module.clone(), target));
                }
            }
        }
    }
    edges
}

/// Strongly connected components of more than one module.
fn circles(
    modules: &BTreeMap<Module, String>,
    edges: &BTreeSet<(Module, Module)>,
) -> Vec<Vec<Module>> {
    // Reachability by repeated search: the graph has a few dozen modules.
    let next = |from: &Module| -> Vec<&Module> {
        edges
            .iter()
            .filter(|(a, _)| a == from)
            .map(|(_, b)| b)
            .collect()
    };
    let reachable = |start: &Module| -> BTreeSet<Module> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.clone()];
        while let Some(module) = stack.pop() {
            for target in next(&module) {
                if seen.insert(target.clone()) {
                    stack.push(target.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&Module, BTreeSet<Module>> =
        modules.keys().map(|m| (m, reachable(m))).collect();
    let mut found: Vec<Vec<Module>> = Vec::new();
    for module in modules.keys() {
        if !reach[module].contains(module) || found.iter().any(|c| c.contains(module)) {
            continue;
        }
        let circle: Vec<Module> = modules
            .keys()
            .filter(|other| reach[module].contains(*other) && reach[*other].contains(module))
            .cloned()
            .collect();
        found.push(circle);
    }
    found
}

#[test]
fn the_library_has_no_import_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    assert!(modules.len() > 20, "only {} modules found", modules.len());
    let edges = edges(&modules);
    let found = circles(&modules, &edges);
    let report: Vec<String> = found
        .iter()
        .map(|circle| {
            let inside: Vec<String> = edges
                .iter()
                .filter(|(a, b)| circle.contains(a) && circle.contains(b))
                .map(|(a, b)| format!("{} -> {}", name(a), name(b)))
                .collect();
            format!("circle: {}", inside.join(", "))
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn the_check_finds_a_circle() {
    let mut modules = BTreeMap::new();
    modules.insert(Vec::new(), "mod a; mod b;".to_owned());
    modules.insert(vec!["a".to_owned()], "use crate::b::Thing;".to_owned());
    modules.insert(
        vec!["b".to_owned()],
        "pub fn f() { super::a::g() }".to_owned(),
    );
    let found = circles(&modules, &edges(&modules));
    assert_eq!(found, [vec![vec!["a".to_owned()], vec!["b".to_owned()]]]);
    // A child reaching back into its parent is a circle too.
    let mut modules = BTreeMap::new();
    modules.insert(Vec::new(), "mod a;".to_owned());
    modules.insert(vec!["a".to_owned()], "mod b; pub struct S;".to_owned());
    modules.insert(
        vec!["a".to_owned(), "b".to_owned()],
        "use super::S;".to_owned(),
    );
    assert_eq!(circles(&modules, &edges(&modules)).len(), 1);
}
