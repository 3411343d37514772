//! "Did you mean ...?": the known name closest to a likely typo.

/// The candidate closest to `word` (ignoring case) when it is close enough to be a typo of it:
/// a small edit distance for its length, or a long shared prefix (`replicas` -> `replicaCount`).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|candidate| *candidate != word)
        .filter_map(|candidate| {
            let other = candidate.to_lowercase();
            let distance = edit_distance(&lower, &other);
            let shorter = lower.chars().count().min(other.chars().count());
            let prefix = lower.chars().zip(other.chars()).take_while(|(a, b)| a == b).count();
            let budget = if shorter >= 4 { (shorter / 3).max(2) } else { 1 };
            let close = distance <= budget || (prefix >= 4 && prefix * 5 >= shorter * 3);
            close.then_some((distance, candidate))
        })
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested_and_strangers_are_not() {
        let keys = ["kubeVersion", "promotion", "charts", "policies"];
        assert_eq!(closest("promotoin", keys), Some("promotion"));
        assert_eq!(closest("kubeversion", keys), Some("kubeVersion"));
        assert_eq!(closest("chart", keys), Some("charts"));
        assert_eq!(closest("zzz", keys), None);
        assert_eq!(closest("replicas", ["replicaCount", "image"]), Some("replicaCount"));
        assert_eq!(edit_distance("replicas", "replicaCount"), 5);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
