//! Charts packed as `.tgz` (subcharts under `charts/`), read in memory as Helm's
//! `loader.LoadArchive` reads them: every entry lives under one top directory, which is
//! stripped; paths that are absolute or climb out are refused; sizes are bounded.

use std::io::Read;

/// Most bytes all entries of one archive may hold once decompressed (Helm's default limit).
pub const MAX_ARCHIVE_BYTES: u64 = 100 * 1024 * 1024;
/// Most bytes one entry may hold once decompressed (Helm's default limit).
pub const MAX_ENTRY_BYTES: u64 = 5 * 1024 * 1024;
/// Most entries one archive may hold.
pub const MAX_ENTRIES: usize = 10_000;

/// One file of an archive, its path relative to the chart inside.
#[derive(Debug, Clone)]
pub struct ArchiveFile {
    pub name: String,
    pub data: Vec<u8>,
}

/// Reads a gzip-compressed tar archive of a chart. The error is Helm's wording where Helm has
/// one.
#[cfg(test)]
pub fn read_chart_archive(compressed: &[u8]) -> Result<Vec<ArchiveFile>, String> {
    read_chart_archive_within(compressed, MAX_ARCHIVE_BYTES)
}

/// [`read_chart_archive`] allowing at most `budget` decompressed bytes (at most
/// [`MAX_ARCHIVE_BYTES`]), so archives nested in archives share one bound.
pub fn read_chart_archive_within(compressed: &[u8], budget: u64) -> Result<Vec<ArchiveFile>, String> {
    // Go's gzip reader wording for what is not gzip at all.
    const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
    if compressed.len() < 10 {
        return Err("unexpected EOF".to_string());
    }
    if !compressed.starts_with(&GZIP_MAGIC) {
        return Err("gzip: invalid header".to_string());
    }
    let decoder = flate2::read::GzDecoder::new(compressed);
    // The decompressed stream itself is bounded, so headers that lie about sizes cannot make
    // reading run away.
    let mut archive = tar::Archive::new(decoder.take(MAX_ARCHIVE_BYTES + 64 * 1024 * 1024));
    let entries = archive.entries().map_err(|e| format!("cannot read archive: {e}"))?;
    let mut files = Vec::new();
    let mut remaining = budget.min(MAX_ARCHIVE_BYTES);
    let mut count = 0usize;
    for entry in entries {
        let mut entry = entry.map_err(|e| tar_error(&e))?;
        count += 1;
        if count > MAX_ENTRIES {
            return Err(format!("archive holds more than {MAX_ENTRIES} entries"));
        }
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = entry_name(&raw)?;
        if !(kind.is_file() || kind == tar::EntryType::Continuous || kind == tar::EntryType::GNUSparse) {
            // Links and devices have no content a chart can use; Helm reads them as empty files.
            files.push(ArchiveFile { name, data: Vec::new() });
            continue;
        }
        let size = entry.header().size().map_err(|e| format!("cannot read archive: {e}"))?;
        if size > remaining {
            return Err(format!("decompressed chart is larger than the maximum file size {MAX_ARCHIVE_BYTES}"));
        }
        if size > MAX_ENTRY_BYTES {
            return Err(format!(
                "decompressed chart file {raw:?} is larger than the maximum file size {MAX_ENTRY_BYTES}"
            ));
        }
        let mut data = Vec::with_capacity(size as usize);
        (&mut entry).take(size).read_to_end(&mut data).map_err(|e| format!("cannot read archive: {e}"))?;
        remaining -= data.len() as u64;
        const BOM: &[u8] = "\u{feff}".as_bytes();
        if data.starts_with(BOM) {
            data.drain(..BOM.len());
        }
        files.push(ArchiveFile { name, data });
    }
    if files.is_empty() {
        return Err("no files in chart archive".to_string());
    }
    Ok(files)
}

/// A tar reading error in Go's words where the cause is the same (a short stream).
fn tar_error(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::UnexpectedEof || e.to_string().contains("failed to read entire block") {
        "unexpected EOF".to_string()
    } else {
        format!("cannot read archive: {e}")
    }
}

/// The path of an entry inside its chart: the top directory stripped, cleaned, and checked.
fn entry_name(raw: &str) -> Result<String, String> {
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let mut parts = raw.split(delimiter);
    let top = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let joined = rest.join("/");
    if joined.starts_with('/') {
        return Err("chart illegally contains absolute paths".to_string());
    }
    let cleaned = clean_path(&joined);
    if cleaned == "." {
        return Err(format!("chart illegally contains content outside the base directory: {raw:?}"));
    }
    if cleaned.starts_with("..") {
        return Err("chart illegally references parent directory".to_string());
    }
    let bytes = cleaned.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err("chart contains illegally named files".to_string());
    }
    if top == "Chart.yaml" {
        return Err("chart yaml not in base directory".to_string());
    }
    Ok(cleaned)
}

/// Go's `path.Clean` for relative paths.
fn clean_path(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(last) if *last != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.is_empty() { ".".to_string() } else { out.join("/") }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A gzip-compressed tar with `entries` as regular files (names written verbatim).
    pub fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            // `set_path` refuses `..`; write the name bytes directly, as a hostile archive would.
            let field = &mut header.as_old_mut().name;
            field[..name.len()].copy_from_slice(name.as_bytes());
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    /// A gzip-compressed tar whose only entry claims `size` bytes and holds none: a
    /// decompression bomb's header, cheap to build.
    pub fn tgz_claiming(name: &str, size: u64) -> Vec<u8> {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, header.as_bytes()).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn strips_the_top_directory() {
        let files =
            read_chart_archive(&tgz(&[("sub/Chart.yaml", b"name: sub"), ("sub/templates/a.yaml", b"x")])).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "templates/a.yaml"]);
    }

    #[test]
    fn refuses_paths_that_leave_the_chart() {
        let err = |name: &str| read_chart_archive(&tgz(&[(name, b"x")])).unwrap_err();
        assert_eq!(err("sub/../../etc/passwd"), "chart illegally references parent directory");
        assert_eq!(err("sub//abs"), "chart illegally contains absolute paths");
        assert_eq!(err("loose"), "chart illegally contains content outside the base directory: \"loose\"");
        assert_eq!(err("Chart.yaml/x"), "chart yaml not in base directory");
    }

    #[test]
    fn bounds_entry_sizes_and_rejects_garbage() {
        assert_eq!(
            read_chart_archive(&tgz_claiming("sub/big", MAX_ENTRY_BYTES + 1)).unwrap_err(),
            format!("decompressed chart file \"sub/big\" is larger than the maximum file size {MAX_ENTRY_BYTES}")
        );
        assert_eq!(read_chart_archive(b"not gzip at all").unwrap_err(), "gzip: invalid header");
        assert_eq!(read_chart_archive(b"hi\n").unwrap_err(), "unexpected EOF");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &b"garbage not tar".repeat(10)).unwrap();
        assert_eq!(read_chart_archive(&gz.finish().unwrap()).unwrap_err(), "unexpected EOF");
    }
}
