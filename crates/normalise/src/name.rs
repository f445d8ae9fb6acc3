//! Name folding: the form names are compared in. Unicode to ASCII, lower
//! case, apostrophes joined (O'Neill → oneill), other punctuation to spaces,
//! titles and generational suffixes removed.

/// Titles and honorifics dropped from the front of a name.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "miss",
    "ms",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "rev",
    "revd",
    "reverend",
    "master",
    "lady",
    "lord",
];
/// Generational suffixes dropped from the end of a name.
const SUFFIXES: &[&str] = &["jr", "jnr", "sr", "snr", "ii", "iii", "iv"];

/// Apostrophes of every kind: they join the letters either side.
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{02BB}' | '`' | '\u{00B4}' | '\u{2032}'
    )
}

/// Combining marks (an accent typed after its letter) and zero-width
/// characters: dropped without splitting the word.
fn is_joining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
    )
}

/// Folded name tokens, titles and suffixes removed
/// (`"Mrs Begum-Khan"` → `["begum", "khan"]`).
///
/// Letters and digits are transliterated to ASCII (`deunicode`) and lower
/// cased; apostrophes and combining accents join (O'Neill → `oneill`);
/// everything else, hyphens included, separates tokens, so symbols and emoji
/// never become words. Leading titles (mr, mrs, miss, ms, mx, dr, prof, sir,
/// dame, rev, master and a few more) and trailing suffixes (jr, sr, ii,
/// iii, …) are removed, but never the last remaining token: a name that is
/// only "Miss" keeps it.
pub fn name_tokens(s: &str) -> Vec<String> {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        if is_apostrophe(c) || is_joining_mark(c) {
            continue;
        }
        if c.is_ascii() || !c.is_alphanumeric() {
            folded.push(c);
        } else {
            folded.push_str(deunicode::deunicode_char(c).unwrap_or(" "));
        }
    }
    let mut cleaned = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            'a'..='z' | '0'..='9' => cleaned.push(c),
            'A'..='Z' => cleaned.push(c.to_ascii_lowercase()),
            // Transliteration can itself give apostrophes (ъ → ').
            '\'' | '`' => {}
            _ => cleaned.push(' '),
        }
    }
    let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
    let leading = tokens
        .iter()
        .take_while(|t| TITLES.contains(t))
        .count()
        .min(tokens.len().saturating_sub(1));
    tokens.drain(..leading);
    while tokens.len() > 1 && tokens.last().is_some_and(|t| SUFFIXES.contains(t)) {
        tokens.pop();
    }
    tokens.into_iter().map(str::to_string).collect()
}

/// A name folded to one comparable string: [`name_tokens`] joined by single
/// spaces (`"  Dr. Siobhán O'Neill-Smyth "` → `"siobhan oneill smyth"`).
pub fn fold_name(s: &str) -> String {
    name_tokens(s).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds() {
        for (input, want) in [
            ("  Dr. Siobhán O'Neill-Smyth ", "siobhan oneill smyth"),
            ("KAYLEIGH  ann", "kayleigh ann"),
            ("Łukasz Wójcik Jr.", "lukasz wojcik"),
            ("Asunción", "asuncion"),
            ("Ærøskøbing", "aeroskobing"),
            ("Nguyễn Văn An", "nguyen van an"),
            ("Siobhán O\u{2019}Neill", "siobhan oneill"),
            ("D\u{2018}Souza", "dsouza"),
            // An accent typed as a combining mark does not split the word.
            ("Jose\u{301} Garci\u{301}a", "jose garcia"),
            ("Smith, John", "smith john"),
            ("Mr & Mrs Smith", "smith"),
            ("Mr. Mrs. John Smith Jnr III", "john smith"),
            ("Prof Sir Ian Wilmut", "ian wilmut"),
            ("Мария Иванова", "mariia ivanova"),
            ("Bob 🦄 Jones", "bob jones"),
            ("Bob™", "bob"),
            ("  ", ""),
            ("", ""),
        ] {
            assert_eq!(fold_name(input), want, "{input}");
        }
    }

    #[test]
    fn lone_titles_and_suffixes_are_kept() {
        assert_eq!(fold_name("Mr"), "mr", "a lone title may be the name");
        assert_eq!(fold_name("Miss"), "miss");
        assert_eq!(fold_name("Jr"), "jr");
        assert_eq!(fold_name("Mr Jr"), "jr");
        assert_eq!(fold_name("Dr Who II"), "who");
    }

    #[test]
    fn titles_only_at_the_front_and_suffixes_only_at_the_end() {
        assert_eq!(fold_name("John Mr Smith"), "john mr smith");
        assert_eq!(fold_name("Ii Smith"), "ii smith");
        assert_eq!(fold_name("Misster Smith"), "misster smith");
    }

    #[test]
    fn tokens() {
        assert_eq!(name_tokens("Mrs Begum-Khan"), vec!["begum", "khan"]);
        assert!(name_tokens("--").is_empty());
    }
}
