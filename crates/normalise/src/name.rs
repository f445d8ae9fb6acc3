//! Name folding: the form names are compared in. Unicode to ASCII, lower
//! case, apostrophes joined (O'Neill → oneill), other punctuation to spaces,
//! titles and generational suffixes removed.

const TITLES: &[&str] = &[
    "mr", "mrs", "miss", "ms", "mx", "dr", "prof", "sir", "dame", "rev", "revd", "master", "lady",
    "lord",
];
const SUFFIXES: &[&str] = &["jr", "jnr", "sr", "snr", "ii", "iii", "iv"];

/// Folded name tokens, titles and suffixes removed.
pub fn name_tokens(s: &str) -> Vec<String> {
    let ascii = deunicode::deunicode(s);
    let mut cleaned = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        match c {
            'a'..='z' | '0'..='9' => cleaned.push(c),
            'A'..='Z' => cleaned.push(c.to_ascii_lowercase()),
            // Apostrophes join: O'Neill, D'Souza.
            '\'' | '`' => {}
            _ => cleaned.push(' '),
        }
    }
    let mut tokens: Vec<String> = cleaned.split_whitespace().map(str::to_string).collect();
    while tokens.len() > 1 && tokens.first().is_some_and(|t| TITLES.contains(&t.as_str())) {
        tokens.remove(0);
    }
    while tokens.len() > 1
        && tokens
            .last()
            .is_some_and(|t| SUFFIXES.contains(&t.as_str()))
    {
        tokens.pop();
    }
    tokens
}

/// A name folded to one comparable string (`"  Dr. Siobhán O'Neill-Smyth "` →
/// `"siobhan oneill smyth"`).
pub fn fold_name(s: &str) -> String {
    name_tokens(s).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds() {
        assert_eq!(
            fold_name("  Dr. Siobhán O'Neill-Smyth "),
            "siobhan oneill smyth"
        );
        assert_eq!(fold_name("KAYLEIGH  ann"), "kayleigh ann");
        assert_eq!(fold_name("Łukasz Wójcik Jr."), "lukasz wojcik");
        assert_eq!(
            fold_name("Mr"),
            "mr",
            "a lone title is kept: it may be a name"
        );
        assert_eq!(fold_name("Asunción"), "asuncion");
        assert_eq!(fold_name(""), "");
        assert_eq!(name_tokens("Mrs Begum-Khan"), vec!["begum", "khan"]);
    }
}
