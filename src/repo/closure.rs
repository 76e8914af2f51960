//! Looking packages up in the index and following their dependencies, well enough for the
//! preflight (does it exist? how big is it?). dnf (libsolv) resolves for real at install;
//! where this differs from it is written down in `closure`'s comment.

use std::collections::{HashMap, HashSet};

use super::evr::{Evr, cmp_packages, satisfies};
use super::types::{Closure, Dep, Group, GroupPackageKind, Package, RepoIndex};

impl RepoIndex {
    /// Every package of every repository.
    pub fn packages(&self) -> impl Iterator<Item = &Package> {
        self.repos.iter().flat_map(|r| r.packages.iter())
    }

    /// Packages matching `spec`: by name; else by NEVRA forms (`name-version`,
    /// `name-version-release`, with `.arch`); else by provide or file path. Best first:
    /// exact names before provides, then the highest EVR.
    pub fn find(&self, spec: &str) -> Vec<&Package> {
        let mut v: Vec<&Package> = self.packages().filter(|p| p.name == spec).collect();
        if v.is_empty() {
            v = self.packages().filter(|p| nevra_matches(p, spec)).collect();
        }
        if v.is_empty() {
            v = self.providers(spec);
        }
        sort_best_first(&mut v, spec);
        v
    }

    /// The comps group `id` (first repository that has it).
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.repos
            .iter()
            .flat_map(|r| r.groups.iter())
            .find(|g| g.id == id)
    }

    /// All group ids, for "did you mean".
    pub fn group_ids(&self) -> impl Iterator<Item = &str> {
        self.repos
            .iter()
            .flat_map(|r| r.groups.iter())
            .map(|g| g.id.as_str())
    }

    fn providers(&self, name: &str) -> Vec<&Package> {
        self.packages()
            .filter(|p| {
                p.provides.iter().any(|d| d.name == name) || p.files.iter().any(|f| f == name)
            })
            .collect()
    }

    /// The packages `names` and `groups` (mandatory and default members, as dnf installs
    /// them) pull in, following requires (and recommends when `weak_deps`), never choosing
    /// a package whose name matches `exclude` (globs). Differences from dnf, which are fine
    /// for a size estimate: one version per name (the best that satisfies the first
    /// requirement met); `(a if b)`-style rich dependencies are decided against what was
    /// chosen so far; conditional group members, Supplements and Suggests are ignored;
    /// `rpmlib(...)` requirements are satisfied by rpm itself. Group members that do not
    /// exist are skipped (dnf warns and goes on); requested names and required deps that
    /// cannot be satisfied are listed in `missing`.
    pub fn closure(
        &self,
        names: &[String],
        groups: &[String],
        exclude: &[String],
        weak_deps: bool,
    ) -> Closure<'_> {
        let mut r = Resolver::new(self, exclude);
        for id in groups {
            let Some(g) = self.group(id) else {
                r.missing.push(format!("@{id}"));
                continue;
            };
            for m in &g.packages {
                if matches!(
                    m.kind,
                    GroupPackageKind::Mandatory | GroupPackageKind::Default
                ) {
                    let dep = Dep {
                        name: m.name.clone(),
                        ..Dep::default()
                    };
                    if let Some(p) = r.best_provider(&dep) {
                        r.choose(p);
                    }
                }
            }
        }
        for name in names {
            let found = self
                .find(name)
                .into_iter()
                .find(|p| !r.excluded(p) && !r.chosen_names.contains(p.name.as_str()));
            match found {
                Some(p) => r.choose(p),
                None if r.is_chosen_spec(name) => {}
                None => r.missing.push(name.clone()),
            }
        }
        while let Some(p) = r.queue.pop() {
            for dep in &p.requires {
                if !r.require(dep) {
                    r.missing
                        .push(format!("{} (needed by {})", show(dep), p.nevra()));
                }
            }
            if weak_deps {
                for dep in &p.recommends {
                    // A recommendation nothing satisfies is skipped, as dnf does.
                    r.require(dep);
                }
            }
        }
        Closure {
            packages: r.chosen,
            missing: r.missing,
        }
    }
}

/// "name >= 1.0" for messages.
fn show(d: &Dep) -> String {
    let op = match d.flags.as_deref() {
        Some("EQ") => "=",
        Some("LT") => "<",
        Some("LE") => "<=",
        Some("GT") => ">",
        Some("GE") => ">=",
        _ => return d.name.clone(),
    };
    format!("{} {op} {}", d.name, d.evr.as_deref().unwrap_or(""))
}

fn nevra_matches(p: &Package, spec: &str) -> bool {
    let Some(rest) = spec
        .strip_prefix(p.name.as_str())
        .and_then(|r| r.strip_prefix('-'))
    else {
        return false;
    };
    let e = if p.epoch > 0 {
        format!("{}:", p.epoch)
    } else {
        String::new()
    };
    let forms = [
        format!("{e}{}", p.version),
        format!("{e}{}-{}", p.version, p.release),
        format!("{e}{}-{}.{}", p.version, p.release, p.arch),
    ];
    forms
        .iter()
        .any(|f| f == rest || (p.epoch == 0 && format!("0:{f}") == rest))
}

/// Preference among candidates: exact name, then this machine's arches, then shorter names
/// (the base package over its sub-packages), then the newest version.
fn sort_best_first(v: &mut [&Package], wanted: &str) {
    v.sort_by(|a, b| {
        (b.name == wanted)
            .cmp(&(a.name == wanted))
            .then_with(|| arch_rank(&a.arch).cmp(&arch_rank(&b.arch)))
            .then_with(|| a.name.len().cmp(&b.name.len()))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| cmp_packages(b, a))
    });
}

fn arch_rank(arch: &str) -> u8 {
    match arch {
        "x86_64" | "noarch" => 0,
        _ => 1,
    }
}

/// The state of one closure computation.
struct Resolver<'a> {
    exclude: Vec<String>,
    /// Name, provide or file -> (package, the provided version when versioned).
    index: HashMap<&'a str, Vec<(&'a Package, Option<Evr<'a>>)>>,
    chosen: Vec<&'a Package>,
    chosen_names: HashSet<&'a str>,
    queue: Vec<&'a Package>,
    missing: Vec<String>,
}

impl<'a> Resolver<'a> {
    fn new(idx: &'a RepoIndex, exclude: &[String]) -> Resolver<'a> {
        let mut index: HashMap<&str, Vec<(&Package, Option<Evr>)>> = HashMap::new();
        for p in idx.packages() {
            index
                .entry(&p.name)
                .or_default()
                .push((p, Some(Evr::of(p))));
            for d in &p.provides {
                let evr = d.evr.as_deref().map(Evr::parse);
                index.entry(&d.name).or_default().push((p, evr));
            }
            for f in &p.files {
                index.entry(f).or_default().push((p, None));
            }
        }
        Resolver {
            exclude: exclude.to_vec(),
            index,
            chosen: Vec::new(),
            chosen_names: HashSet::new(),
            queue: Vec::new(),
            missing: Vec::new(),
        }
    }

    fn excluded(&self, p: &Package) -> bool {
        self.exclude
            .iter()
            .any(|pat| *pat == p.name || glob_match::glob_match(pat, &p.name))
    }

    fn choose(&mut self, p: &'a Package) {
        if self.chosen_names.insert(&p.name) {
            self.chosen.push(p);
            self.queue.push(p);
        }
    }

    /// True when a requested spec names something already chosen (e.g. asked twice).
    fn is_chosen_spec(&self, spec: &str) -> bool {
        self.chosen
            .iter()
            .any(|p| p.name == spec || nevra_matches(p, spec))
    }

    /// Providers of `dep` that satisfy its version, chosen or not, excluded ones left out.
    fn candidates(&self, dep: &Dep) -> Vec<&'a Package> {
        let mut v: Vec<&'a Package> = self
            .index
            .get(dep.name.as_str())
            .into_iter()
            .flatten()
            .filter(|(p, evr)| !self.excluded(p) && satisfies(evr.as_ref(), dep))
            .map(|(p, _)| *p)
            .collect();
        v.dedup_by(|a, b| std::ptr::eq(*a, *b));
        v
    }

    fn satisfied(&self, dep: &Dep) -> bool {
        self.candidates(dep)
            .iter()
            .any(|p| self.chosen.iter().any(|c| std::ptr::eq(*c, *p)))
    }

    /// The provider to add for `dep`: none whose name is already chosen in another version.
    fn best_provider(&self, dep: &Dep) -> Option<&'a Package> {
        let mut v: Vec<&'a Package> = self
            .candidates(dep)
            .into_iter()
            .filter(|p| !self.chosen_names.contains(p.name.as_str()))
            .collect();
        sort_best_first(&mut v, &dep.name);
        v.first().copied()
    }

    /// Makes sure `dep` is satisfied, adding a provider when needed; false when impossible.
    fn require(&mut self, dep: &Dep) -> bool {
        if dep.name.starts_with("rpmlib(") {
            return true;
        }
        if dep.name.starts_with('(') {
            return self.require_rich(&dep.name);
        }
        if self.satisfied(dep) {
            return true;
        }
        match self.best_provider(dep) {
            Some(p) => {
                self.choose(p);
                true
            }
            None => false,
        }
    }

    /// Best effort for boolean dependencies, see `super::rich`.
    fn require_rich(&mut self, expr: &str) -> bool {
        let Some(rich) = super::rich::parse(expr) else {
            // Unparseable: do not invent a missing package over it.
            return true;
        };
        rich.require(&mut |dep, add| {
            if self.satisfied(dep) {
                return true;
            }
            if !add {
                return false;
            }
            self.require(dep)
        })
    }
}
