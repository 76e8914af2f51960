//! repomd.xml: where the other metadata files are and what their checksums must be; and
//! opening those files once their checksum matched (gz, zstd, xz, or plain).

use std::io::Read;

use super::xml::{Ev, attr, walk};

/// The parts of repomd.xml the installer uses.
#[derive(Debug, Default)]
pub struct RepoMd {
    pub revision: Option<String>,
    pub data: Vec<DataFile>,
}

/// One `<data type="...">` entry.
#[derive(Debug, Default, Clone)]
pub struct DataFile {
    pub kind: String,
    /// (algorithm, lower-case hex) of the file as stored (compressed).
    pub checksum: (String, String),
    /// Relative to the repository URL.
    pub location: String,
}

impl RepoMd {
    pub fn get(&self, kind: &str) -> Option<&DataFile> {
        self.data.iter().find(|d| d.kind == kind)
    }
}

pub fn parse(bytes: &[u8]) -> Result<RepoMd, String> {
    let mut md = RepoMd::default();
    let mut current: Option<DataFile> = None;
    let mut path: Vec<String> = Vec::new();
    let mut pending_alg = String::new();
    walk(bytes, |ev| match ev {
        Ev::Start { name, attrs } => {
            match name {
                "data" => {
                    current = Some(DataFile {
                        kind: attr(attrs, "type").unwrap_or_default().to_owned(),
                        ..DataFile::default()
                    })
                }
                "checksum" => pending_alg = attr(attrs, "type").unwrap_or("sha256").to_owned(),
                "location" => {
                    if let (Some(d), Some(h)) = (current.as_mut(), attr(attrs, "href")) {
                        d.location = h.to_owned();
                    }
                }
                _ => {}
            }
            path.push(name.to_owned());
        }
        Ev::End { name } => {
            path.pop();
            if name == "data" {
                md.data.extend(current.take());
            }
        }
        Ev::Text(t) => match (path.last().map(String::as_str), current.as_mut()) {
            (Some("revision"), None) => md.revision = Some(t.to_owned()),
            (Some("checksum"), Some(d)) => {
                d.checksum = (pending_alg.clone(), t.to_ascii_lowercase());
            }
            _ => {}
        },
    })?;
    if md.get("primary").is_none() {
        return Err("it lists no primary metadata (<data type=\"primary\">)".into());
    }
    Ok(md)
}

/// Checks `bytes` against `file`'s checksum; the error says expected and actual digests.
pub fn check(file: &DataFile, bytes: &[u8]) -> Result<(), String> {
    let (alg, want) = &file.checksum;
    let Some(mut digest) = super::Digest::new(alg) else {
        return Err(format!("unsupported checksum type \"{alg}\""));
    };
    digest.update(bytes);
    let got = digest.hex();
    if &got != want {
        return Err(format!(
            "checksum mismatch: expected {alg} {want}, got {got}"
        ));
    }
    Ok(())
}

/// The file's content, decompressed according to its name.
pub fn decompress(location: &str, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    decompress_within(location, bytes, MAX_OPEN)
}

/// The most a metadata file may decompress to (Fedora's primary.xml is a few hundred MiB):
/// a small file that would decompress without end is refused, not read into memory.
const MAX_OPEN: u64 = 2 << 30;

fn decompress_within(location: &str, bytes: Vec<u8>, limit: u64) -> Result<Vec<u8>, String> {
    let name = location.to_ascii_lowercase();
    let reader: Box<dyn Read + '_> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(bytes.as_slice()))
    } else if name.ends_with(".zst") || name.ends_with(".zstd") {
        Box::new(
            ruzstd::decoding::StreamingDecoder::new(bytes.as_slice())
                .map_err(|e| format!("zstd: {e}"))?,
        )
    } else if name.ends_with(".xz") {
        // lzma-rs decodes into a writer: decode, then check the size. xz metadata is rare
        // and its input is checksummed already.
        let mut out = Vec::new();
        lzma_rs::xz_decompress(&mut bytes.as_slice(), &mut Capped::new(&mut out, limit))
            .map_err(|e| format!("xz: {e}"))?;
        return Ok(out);
    } else if name.ends_with(".bz2") {
        return Err("bzip2-compressed metadata is not supported (use gz, zstd or xz)".into());
    } else {
        return Ok(bytes);
    };
    let mut out = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("decompressing: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!(
            "decompresses to more than {}, the most accepted",
            crate::answer::human_bytes(limit)
        ));
    }
    Ok(out)
}

/// A writer that fails once more than `left` bytes were written to it.
struct Capped<'a> {
    out: &'a mut Vec<u8>,
    left: u64,
    limit: u64,
}

impl<'a> Capped<'a> {
    fn new(out: &'a mut Vec<u8>, limit: u64) -> Self {
        Capped {
            out,
            left: limit,
            limit,
        }
    }
}

impl std::io::Write for Capped<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() as u64 > self.left {
            return Err(std::io::Error::other(format!(
                "decompresses to more than {}, the most accepted",
                crate::answer::human_bytes(self.limit)
            )));
        }
        self.left -= buf.len() as u64;
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>17</revision>
  <data type="primary">
    <checksum type="sha256">AB12</checksum>
    <open-checksum type="sha256">ffff</open-checksum>
    <location href="repodata/x-primary.xml.gz"/>
  </data>
  <data type="group"><checksum type="sha256">cd</checksum><location href="repodata/c.xml"/></data>
</repomd>"#;

    #[test]
    fn reads_revision_locations_and_stored_checksums() {
        let md = parse(MD.as_bytes()).unwrap();
        assert_eq!(md.revision.as_deref(), Some("17"));
        let p = md.get("primary").unwrap();
        assert_eq!(p.location, "repodata/x-primary.xml.gz");
        // The open-checksum (of the decompressed file) is not the one checked.
        assert_eq!(p.checksum, ("sha256".into(), "ab12".into()));
        assert_eq!(md.get("group").unwrap().location, "repodata/c.xml");
    }

    #[test]
    fn refuses_a_repomd_without_primary_and_reports_mismatches() {
        assert!(parse(b"<repomd/>").unwrap_err().contains("no primary"));
        let f = DataFile {
            checksum: ("sha256".into(), "00".into()),
            ..DataFile::default()
        };
        let e = check(&f, b"x").unwrap_err();
        assert!(
            e.starts_with("checksum mismatch: expected sha256 00, got 2d71"),
            "{e}"
        );
    }

    #[test]
    fn decompresses_gzip_and_passes_plain_through() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"hello").unwrap();
        let z = gz.finish().unwrap();
        assert_eq!(decompress("a.xml.gz", z).unwrap(), b"hello");
        assert_eq!(decompress("a.xml", b"hi".to_vec()).unwrap(), b"hi");
    }

    #[test]
    fn a_file_that_decompresses_past_the_limit_is_refused() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b'x'; 1 << 20]).unwrap();
        let z = gz.finish().unwrap();
        let e = decompress_within("a.xml.gz", z.clone(), 1000).unwrap_err();
        assert!(e.contains("more than"), "{e}");
        assert_eq!(
            decompress_within("a.xml.gz", z, 1 << 20).unwrap().len(),
            1 << 20
        );
    }
}
