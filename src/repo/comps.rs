//! comps.xml: the package groups. Tolerant on purpose: unknown elements (categories,
//! environments, langpacks, translations) are skipped, a missing `type` means mandatory
//! (as in libcomps), and a group without an id is dropped rather than failing the load.

use super::types::{Group, GroupPackage, GroupPackageKind};
use super::xml::{Ev, attr, walk};

pub fn parse(bytes: &[u8]) -> Result<Vec<Group>, String> {
    let mut groups = Vec::new();
    let mut group: Option<Group> = None;
    // Element names from the root down; text is taken only where the path is right.
    let mut path: Vec<String> = Vec::new();
    let mut translated = false;
    let mut kind = GroupPackageKind::Mandatory;
    walk(bytes, |ev| match ev {
        Ev::Start { name, attrs } => {
            if name == "group" && path.last().map(String::as_str) == Some("comps") {
                group = Some(Group::default());
            }
            if name == "name" {
                translated = attr(attrs, "lang").is_some();
            }
            if name == "packagereq" {
                kind = match attr(attrs, "type").unwrap_or("mandatory") {
                    "default" => GroupPackageKind::Default,
                    "optional" => GroupPackageKind::Optional,
                    "conditional" => GroupPackageKind::Conditional,
                    _ => GroupPackageKind::Mandatory,
                };
            }
            path.push(name.to_owned());
        }
        Ev::End { name } => {
            path.pop();
            if name == "group" && path.last().map(String::as_str) == Some("comps") {
                groups.extend(group.take().filter(|g| !g.id.is_empty()));
            }
        }
        Ev::Text(t) => {
            let Some(g) = group.as_mut() else { return };
            let n = path.len();
            let (parent, tag) = match n {
                0 | 1 => return,
                _ => (path[n - 2].as_str(), path[n - 1].as_str()),
            };
            match (parent, tag) {
                ("group", "id") => g.id = t.to_owned(),
                ("group", "name") if !translated => g.name = t.to_owned(),
                ("packagelist", "packagereq") => g.packages.push(GroupPackage {
                    name: t.to_owned(),
                    kind,
                }),
                _ => {}
            }
        }
    })?;
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_groups_and_ignores_what_it_does_not_know() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <!-- a comment -->
  <group>
    <id>core</id>
    <name>Core</name>
    <name xml:lang="de">Kern</name>
    <packagelist>
      <packagereq type="mandatory">bash</packagereq>
      <packagereq>setup</packagereq>
      <packagereq type="default">openssh-server</packagereq>
      <packagereq type="conditional" requires="x">y</packagereq>
    </packagelist>
  </group>
  <group><name>no id</name></group>
  <category><id>cat</id><grouplist><groupid>core</groupid></grouplist></category>
  <environment><id>env</id></environment>
</comps>"#;
        let g = parse(xml.as_bytes()).unwrap();
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].id.as_str(), g[0].name.as_str()), ("core", "Core"));
        let kinds: Vec<_> = g[0]
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("bash", GroupPackageKind::Mandatory),
                ("setup", GroupPackageKind::Mandatory),
                ("openssh-server", GroupPackageKind::Default),
                ("y", GroupPackageKind::Conditional)
            ]
        );
    }
}
