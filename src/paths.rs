//! Paths inside the repository: normalising user-given paths and refusing any that escape it.

use std::path::{Component, Path};

/// Largest file driftgate reads (values, templates, config); larger files are refused.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Joins `relative` onto `base` (both relative to `root`), normalises `.` and `..`, and returns
/// the `/`-separated path relative to `root`, or an error if it leaves the repository (also
/// through a symbolic link).
pub fn inside_root(root: &Path, base: &Path, relative: &str) -> Result<String, String> {
    let given = Path::new(relative);
    if given.is_absolute() {
        return Err(format!("path `{relative}` is absolute; paths must be relative to the repository"));
    }
    let mut parts: Vec<String> = Vec::new();
    for component in base.join(given).components() {
        match component {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(format!("path `{relative}` points outside the repository"));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("path `{relative}` is absolute; paths must be relative to the repository"));
            }
        }
    }
    let joined = parts.join("/");
    // A symbolic link inside the repository may still lead out of it.
    if let (Ok(real_root), Ok(real)) = (root.canonicalize(), root.join(&joined).canonicalize())
        && !real.starts_with(&real_root)
    {
        return Err(format!("path `{relative}` leads outside the repository through a symbolic link"));
    }
    Ok(joined)
}

/// Reads a UTF-8 text file no larger than [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("file is {} bytes, larger than the {} byte limit", meta.len(), MAX_FILE_BYTES));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "file is not valid UTF-8".to_string())
}

/// Names of the regular files directly in `dir`, sorted; empty when it does not exist.
pub fn sorted_file_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A relative path with `/` separators.
pub fn to_slash(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_may_not_escape_the_root() {
        let root = Path::new("/nonexistent-root");
        assert_eq!(inside_root(root, Path::new("charts/a"), "values-dev.yaml").unwrap(), "charts/a/values-dev.yaml");
        assert_eq!(inside_root(root, Path::new("charts/a"), "../b/x.yaml").unwrap(), "charts/b/x.yaml");
        assert!(inside_root(root, Path::new("charts/a"), "../../../etc/passwd").is_err());
        assert!(inside_root(root, Path::new(""), "/etc/passwd").is_err());
    }
}
