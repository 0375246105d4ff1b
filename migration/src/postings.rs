//! The inverted index of search: which stems a record holds and how much each counts, shared
//! by the service (on every write) and by migration 25, which fills it for records indexed
//! before it.

use std::collections::BTreeMap;

/// Weight of one occurrence of a stem in a record's title (one in its text counts 1).
pub const TITLE_WEIGHT: i32 = 3;

/// The words of `text`: runs of Unicode letters and digits; everything else separates words.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// The postings of a record from its `terms` (the stems of its title, then of its text,
/// space-separated) when the first `title_words` of them are the title's: each distinct stem
/// with its score, [`TITLE_WEIGHT`] per occurrence in the title and 1 per occurrence in the
/// text, ordered by stem.
pub fn postings(terms: &str, title_words: usize) -> Vec<(String, i32)> {
    let mut scores: BTreeMap<&str, i32> = BTreeMap::new();
    for (i, stem) in terms.split(' ').filter(|s| !s.is_empty()).enumerate() {
        let weight = if i < title_words { TITLE_WEIGHT } else { 1 };
        *scores.entry(stem).or_default() += weight;
    }
    scores
        .into_iter()
        .map(|(stem, score)| (stem.to_owned(), score))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{postings, words};

    #[test]
    fn title_occurrences_weigh_three() {
        let terms = " barn möt barn skol ";
        assert_eq!(
            postings(terms, 2),
            vec![("barn".into(), 4), ("möt".into(), 3), ("skol".into(), 1)]
        );
        assert_eq!(words("Barn, möten – 2021!").count(), 3);
    }
}
