//! Matching phrases in what people write: lower case, accents folded, whole words only. The
//! scoring engine and the conversation engine read text the same way.

/// `text` lower-cased, accents folded, every run of non-alphanumerics one space, padded with
/// spaces so that ` phrase ` matches whole words only.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut last_space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            // Currency signs become words, so they survive normalising and count as budget.
            '$' | '€' => {
                out.push_str(if last_space { "usd " } else { " usd " });
                last_space = true;
                continue;
            }
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    if !last_space {
        out.push(' ');
    }
    out
}

/// How many of `phrases` occur in normalised `text` as whole words.
pub fn count(text: &str, phrases: &[&str]) -> usize {
    phrases.iter().filter(|p| contains_words(text, p)).count()
}

/// Whether normalised (space-padded) `text` holds `phrase` as whole words; no allocation.
fn contains_words(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase)
        .any(|(at, _)| text[..at].ends_with(' ') && text[at + phrase.len()..].starts_with(' '))
}

/// `text` with every occurrence of `phrases` blanked out.
pub fn without(text: &str, phrases: &[&str]) -> String {
    phrases
        .iter()
        .fold(text.to_string(), |t, p| t.replace(&format!(" {p} "), "  "))
}
