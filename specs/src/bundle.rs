//! A bundle: the files of some versions, gzip-compressed under their usual relative paths
//! (`kubernetes/v1.35/swagger.json.gz`, `proto/v1.35/k8s.io/api/core/v1/generated.proto.gz`),
//! with a `SHA256SUMS` file giving the sha256 of each uncompressed file. The packaging step
//! writes one into the `kubeclient` package so a build from a registry needs neither the
//! network nor an environment variable; builds unpack and check only the version they use.
//!
//! A bundle is input like any other: paths in the sums file must be plain relative paths,
//! every file is size-bounded when unpacked, and a sum that does not match is an error.

use crate::search::SearchPath;
use crate::versions::{select, SelectedVersion};
use crate::LocateError;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// The sums file at the bundle's root.
pub const SUMS_FILE: &str = "SHA256SUMS";

/// Upper bound of one unpacked file (the largest swagger is about 4 MB).
const MAX_FILE_BYTES: u64 = 64 << 20;
/// Upper bound of the sums file.
const MAX_SUMS_BYTES: u64 = 4 << 20;

/// Whether `root` is a bundle holding the file `rel` (given uncompressed).
pub(crate) fn holds(root: &Path, rel: &Path) -> bool {
    root.join(SUMS_FILE).is_file() && root.join(gz(rel)).is_file()
}

fn gz(rel: &Path) -> PathBuf {
    let mut s = rel.as_os_str().to_owned();
    s.push(".gz");
    PathBuf::from(s)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LocateError + '_ {
    move |source| LocateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Writes a bundle of `versions` into `dest` from the first folder of `search` holding each
/// one: the swagger file (checked against [`crate::VERSIONS`] when the version is known) and
/// every `.proto` file under `proto/<version>/`. Returns the files written, uncompressed
/// relative paths, sorted.
///
/// # Errors
/// What [`SearchPath::spec`] returns for a missing version, [`LocateError::Checksum`] when a
/// known version's swagger file is not upstream's, [`LocateError::Io`] on I/O failure.
pub fn write(
    search: &SearchPath,
    versions: &[&str],
    dest: &Path,
) -> Result<Vec<PathBuf>, LocateError> {
    let mut sums = Vec::new();
    for v in versions {
        let found = search.spec(v)?;
        if found.bundled {
            return Err(LocateError::Bundle {
                bundle: found.root,
                reason: "bundles are made from plain folders, not from other bundles".to_owned(),
            });
        }
        let name = &found.version.name;
        let swagger = found.swagger();
        let bytes = std::fs::read(&swagger).map_err(io(&swagger))?;
        let sum = sha256_hex(&bytes);
        if let Some(k) = found.version.known.filter(|k| k.sha256 != sum) {
            return Err(LocateError::Checksum {
                path: swagger,
                expected: k.sha256.to_owned(),
                actual: sum,
                origin: "kubeclient's version table",
            });
        }
        sums.push((
            Path::new("kubernetes").join(name).join("swagger.json"),
            sum,
            bytes,
        ));
        if let Some(dir) = found.proto_dir() {
            for file in proto_files(&dir)? {
                let bytes = std::fs::read(&file).map_err(io(&file))?;
                let rel = Path::new("proto")
                    .join(name)
                    .join(file.strip_prefix(&dir).unwrap_or(&file));
                sums.push((rel, sha256_hex(&bytes), bytes));
            }
        }
    }
    sums.sort_by(|a, b| a.0.cmp(&b.0));
    let mut list = String::new();
    for (rel, sum, bytes) in &sums {
        let target = dest.join(gz(rel));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let file = std::fs::File::create(&target).map_err(io(&target))?;
        let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        enc.write_all(bytes)
            .and_then(|()| enc.finish().map(drop))
            .map_err(io(&target))?;
        list.push_str(&format!("{sum}  {}\n", slash_path(rel)));
    }
    let sums_path = dest.join(SUMS_FILE);
    std::fs::write(&sums_path, list).map_err(io(&sums_path))?;
    Ok(sums.into_iter().map(|(rel, _, _)| rel).collect())
}

fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every `*.proto` file under `dir`, recursively, sorted.
fn proto_files(dir: &Path) -> Result<Vec<PathBuf>, LocateError> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).map_err(io(&d))? {
            let path = entry.map_err(io(&d))?.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "proto") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The entries of a bundle's sums file: (sha256, relative path), checked to be well formed.
fn read_sums(bundle: &Path) -> Result<Vec<(String, PathBuf)>, LocateError> {
    let path = bundle.join(SUMS_FILE);
    let mut text = String::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_SUMS_BYTES + 1).read_to_string(&mut text))
        .map_err(io(&path))?;
    let bad = |reason: String| LocateError::Bundle {
        bundle: bundle.to_path_buf(),
        reason,
    };
    if text.len() as u64 > MAX_SUMS_BYTES {
        return Err(bad(format!("{SUMS_FILE} is over {MAX_SUMS_BYTES} bytes")));
    }
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let (sum, rel) = line.split_once("  ").ok_or_else(|| {
            bad(format!(
                "{SUMS_FILE} line {}: not `<sha256>  <path>`",
                n + 1
            ))
        })?;
        let rel = PathBuf::from(rel);
        let plain = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if sum.len() != 64 || !sum.bytes().all(|b| b.is_ascii_hexdigit()) || !plain {
            return Err(bad(format!(
                "{SUMS_FILE} line {}: want a 64-digit sha256 and a relative path without `..`",
                n + 1
            )));
        }
        out.push((sum.to_ascii_lowercase(), rel));
    }
    Ok(out)
}

/// Unpacks the files of `version` from `bundle` into `dest` (files of that version already in
/// `dest` are replaced), checking each against its sum.
pub(crate) fn unpack(
    bundle: &Path,
    version: &SelectedVersion,
    dest: &Path,
) -> Result<(), LocateError> {
    let prefixes = [
        Path::new("kubernetes").join(&version.name),
        Path::new("proto").join(&version.name),
    ];
    let mut found_swagger = false;
    for (sum, rel) in read_sums(bundle)? {
        if !prefixes.iter().any(|p| rel.starts_with(p)) {
            continue;
        }
        let src = bundle.join(gz(&rel));
        let mut bytes = Vec::new();
        std::fs::File::open(&src)
            .and_then(|f| {
                flate2::read::GzDecoder::new(f)
                    .take(MAX_FILE_BYTES + 1)
                    .read_to_end(&mut bytes)
            })
            .map_err(io(&src))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(LocateError::Bundle {
                bundle: bundle.to_path_buf(),
                reason: format!("{} unpacks to over {MAX_FILE_BYTES} bytes", src.display()),
            });
        }
        let actual = sha256_hex(&bytes);
        if actual != sum {
            return Err(LocateError::Checksum {
                path: src,
                expected: sum,
                actual,
                origin: SUMS_FILE,
            });
        }
        let target = dest.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&target, &bytes).map_err(io(&target))?;
        found_swagger |= rel.ends_with("swagger.json");
    }
    if !found_swagger {
        return Err(LocateError::Bundle {
            bundle: bundle.to_path_buf(),
            reason: format!(
                "{SUMS_FILE} lists no kubernetes/{}/swagger.json",
                version.name
            ),
        });
    }
    Ok(())
}

/// The versions a bundle holds, by its sums file.
///
/// # Errors
/// What reading the sums file returns.
pub fn versions(bundle: &Path) -> Result<Vec<SelectedVersion>, LocateError> {
    let mut out = Vec::new();
    for (_, rel) in read_sums(bundle)? {
        let mut c = rel.components().map(|c| c.as_os_str().to_string_lossy());
        if let (Some(k), Some(v)) = (c.next(), c.next()) {
            if k == "kubernetes" {
                let v = select(&v)?;
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain_root(dir: &Path) -> PathBuf {
        let root = dir.join("openapi-specs");
        std::fs::create_dir_all(root.join("kubernetes/v1.40")).unwrap();
        std::fs::create_dir_all(root.join("proto/v1.40/k8s.io/api/core/v1")).unwrap();
        std::fs::write(
            root.join("kubernetes/v1.40/swagger.json"),
            r#"{"swagger":"2.0"}"#,
        )
        .unwrap();
        std::fs::write(
            root.join("proto/v1.40/k8s.io/api/core/v1/generated.proto"),
            "syntax = \"proto2\";\n",
        )
        .unwrap();
        root
    }

    #[test]
    fn a_bundle_round_trips_and_is_found_after_the_environment() {
        let ws = tempfile::tempdir().unwrap();
        plain_root(ws.path());
        let bundle = ws.path().join("crate/specs");
        let files = write(&SearchPath::new(ws.path()), &["v1.40"], &bundle).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(versions(&bundle).unwrap()[0].name, "v1.40");

        // A workspace without the plain folder: only the bundle can answer.
        let elsewhere = tempfile::tempdir().unwrap();
        let search = SearchPath::with_bundle(elsewhere.path(), &bundle);
        if std::env::var_os(crate::SPECS_DIR_ENV).is_some() {
            return; // the environment would answer first
        }
        let found = search.spec("v1.40").unwrap();
        assert!(found.bundled);
        let scratch = elsewhere.path().join("out");
        let plain = found.materialize(&scratch).unwrap();
        assert_eq!(
            std::fs::read_to_string(plain.swagger()).unwrap(),
            r#"{"swagger":"2.0"}"#
        );
        assert!(plain
            .proto_dir()
            .unwrap()
            .join("k8s.io/api/core/v1/generated.proto")
            .is_file());
    }

    #[test]
    fn a_damaged_bundle_is_an_error_naming_the_file() {
        let ws = tempfile::tempdir().unwrap();
        plain_root(ws.path());
        let bundle = ws.path().join("b");
        write(&SearchPath::new(ws.path()), &["v1.40"], &bundle).unwrap();
        let v = select("v1.40").unwrap();

        // Replaced content: the sum no longer matches.
        let swagger = bundle.join("kubernetes/v1.40/swagger.json.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&swagger).unwrap(),
            flate2::Compression::fast(),
        );
        enc.write_all(b"{}").unwrap();
        enc.finish().unwrap();
        let err = unpack(&bundle, &v, &ws.path().join("o")).unwrap_err();
        assert!(matches!(err, LocateError::Checksum { .. }), "{err}");
        assert!(err.to_string().contains("swagger.json.gz"), "{err}");

        // A path that leaves the bundle.
        std::fs::write(
            bundle.join(SUMS_FILE),
            format!("{}  ../x\n", "0".repeat(64)),
        )
        .unwrap();
        let err = unpack(&bundle, &v, &ws.path().join("o")).unwrap_err();
        assert!(err.to_string().contains("without `..`"), "{err}");

        // Not gzip at all.
        std::fs::write(
            bundle.join(SUMS_FILE),
            format!("{}  kubernetes/v1.40/swagger.json\n", "0".repeat(64)),
        )
        .unwrap();
        std::fs::write(&swagger, b"plain text").unwrap();
        let err = unpack(&bundle, &v, &ws.path().join("o")).unwrap_err();
        assert!(matches!(err, LocateError::Io { .. }), "{err}");
    }

    #[test]
    fn known_versions_must_match_upstream() {
        let ws = tempfile::tempdir().unwrap();
        let root = ws.path().join("openapi-specs/kubernetes/v1.35");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("swagger.json"), "{}").unwrap();
        if std::env::var_os(crate::SPECS_DIR_ENV).is_some() {
            return;
        }
        let err = write(
            &SearchPath::new(ws.path()),
            &["v1.35"],
            &ws.path().join("b"),
        )
        .unwrap_err();
        assert!(matches!(err, LocateError::Checksum { .. }), "{err}");
    }
}
