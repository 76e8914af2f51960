//! primary.xml: the packages of a repository, with sizes, provides, requires, recommends and
//! the files primary lists (those in bin directories and /etc, by createrepo's convention).

use super::types::{Dep, Package};
use super::xml::{Ev, attr, walk};

/// Which dependency list an `<rpm:entry>` belongs to.
#[derive(Clone, Copy, PartialEq)]
enum List {
    None,
    Provides,
    Requires,
    Recommends,
    /// Conflicts, obsoletes, suggests, ...: not needed for a size estimate.
    Other,
}

pub fn parse(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let mut out = Vec::new();
    let mut pkg: Option<Package> = None;
    let mut list = List::None;
    let mut tag = String::new();
    let mut checksum_alg = String::new();
    walk(bytes, |ev| match ev {
        Ev::Start { name, attrs } => {
            tag = name.to_owned();
            if name == "package" {
                pkg = Some(Package::default());
                return;
            }
            let Some(p) = pkg.as_mut() else { return };
            match name {
                "version" => {
                    p.epoch = attr(attrs, "epoch")
                        .and_then(|e| e.parse().ok())
                        .unwrap_or(0);
                    p.version = attr(attrs, "ver").unwrap_or_default().to_owned();
                    p.release = attr(attrs, "rel").unwrap_or_default().to_owned();
                }
                "checksum" => checksum_alg = attr(attrs, "type").unwrap_or("sha256").to_owned(),
                "size" => {
                    let n = |k| attr(attrs, k).and_then(|v| v.parse().ok()).unwrap_or(0);
                    p.size_package = n("package");
                    p.size_installed = n("installed");
                }
                "location" => p.location = attr(attrs, "href").unwrap_or_default().to_owned(),
                "provides" => list = List::Provides,
                "requires" => list = List::Requires,
                "recommends" => list = List::Recommends,
                "conflicts" | "obsoletes" | "suggests" | "supplements" | "enhances" => {
                    list = List::Other
                }
                "entry" => {
                    let dep = entry(attrs);
                    match list {
                        List::Provides => p.provides.push(dep),
                        List::Requires => p.requires.push(dep),
                        List::Recommends => p.recommends.push(dep),
                        List::None | List::Other => {}
                    }
                }
                _ => {}
            }
        }
        Ev::End { name } => match name {
            "package" => {
                // Source packages are never installed.
                if let Some(p) = pkg.take().filter(|p| p.arch != "src" && p.arch != "nosrc") {
                    out.push(p);
                }
            }
            "provides" | "requires" | "recommends" | "conflicts" | "obsoletes" | "suggests"
            | "supplements" | "enhances" => list = List::None,
            _ => {}
        },
        Ev::Text(t) => {
            let Some(p) = pkg.as_mut() else { return };
            match tag.as_str() {
                "name" => p.name = t.to_owned(),
                "arch" => p.arch = t.to_owned(),
                "checksum" => p.checksum = (checksum_alg.clone(), t.to_ascii_lowercase()),
                "file" => p.files.push(t.to_owned()),
                _ => {}
            }
        }
    })?;
    if let Some(bad) = out
        .iter()
        .find(|p| p.name.is_empty() || p.version.is_empty())
    {
        return Err(format!(
            "a package entry has no name or version (location {:?})",
            bad.location
        ));
    }
    Ok(out)
}

/// `<rpm:entry name= flags= epoch= ver= rel=/>` as a `Dep` with "E:V-R" (E omitted when 0).
fn entry(attrs: &[(String, String)]) -> Dep {
    let ver = attr(attrs, "ver");
    let evr = ver.map(|v| {
        let mut s = String::new();
        if let Some(e) = attr(attrs, "epoch").filter(|e| *e != "0") {
            s.push_str(e);
            s.push(':');
        }
        s.push_str(v);
        if let Some(r) = attr(attrs, "rel") {
            s.push('-');
            s.push_str(r);
        }
        s
    });
    Dep {
        name: attr(attrs, "name").unwrap_or_default().to_owned(),
        flags: attr(attrs, "flags").map(str::to_owned),
        evr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIMARY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm">
  <name>kernel</name>
  <arch>x86_64</arch>
  <version epoch="0" ver="6.18.2" rel="1.azl4"/>
  <checksum type="sha256" pkgid="YES">AA</checksum>
  <summary>k &amp; k</summary>
  <size package="10" installed="20" archive="30"/>
  <location href="Packages/kernel-6.18.2-1.azl4.x86_64.rpm"/>
  <format>
    <rpm:provides>
      <rpm:entry name="kernel" flags="EQ" epoch="0" ver="6.18.2" rel="1.azl4"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="kernel-core" flags="EQ" epoch="2" ver="6.18.2" rel="1.azl4"/>
      <rpm:entry name="/bin/sh" pre="1"/>
    </rpm:requires>
    <rpm:recommends><rpm:entry name="linux-firmware"/></rpm:recommends>
    <rpm:conflicts><rpm:entry name="old"/></rpm:conflicts>
    <file>/usr/bin/x</file>
  </format>
</package>
<package type="rpm"><name>k</name><arch>src</arch><version ver="1" rel="1"/></package>
</metadata>"#;

    #[test]
    fn reads_a_package_with_its_dependencies_and_skips_sources() {
        let v = parse(PRIMARY.as_bytes()).unwrap();
        assert_eq!(v.len(), 1);
        let k = &v[0];
        assert_eq!(k.nevra(), "kernel-6.18.2-1.azl4.x86_64");
        assert_eq!((k.size_package, k.size_installed), (10, 20));
        assert_eq!(k.checksum, ("sha256".into(), "aa".into()));
        assert_eq!(k.requires[0].evr.as_deref(), Some("2:6.18.2-1.azl4"));
        assert_eq!(k.requires[1].name, "/bin/sh");
        assert_eq!(k.provides[0].evr.as_deref(), Some("6.18.2-1.azl4"));
        assert_eq!(k.recommends.len(), 1);
        assert_eq!(k.files, ["/usr/bin/x"]);
    }
}
