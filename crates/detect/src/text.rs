//! Text preparation: sentences, tokens, and the normalised token stream
//! (lower case, stemmed, numbers as `#`) that phrase patterns match against,
//! with each token's byte span in the original text.

use std::rc::Rc;

use rust_stemmers::{Algorithm, Stemmer};

/// One token of the original text.
#[derive(Debug, Clone)]
pub struct Token {
    /// Byte span in the original text.
    pub start: usize,
    pub end: usize,
    /// Lower-cased surface form (apostrophes dropped), shared with the
    /// word cache.
    pub lower: Rc<str>,
    /// Normalised form matched by patterns: stemmed, `#` for numbers
    /// (shared with the stem cache, so most tokens allocate nothing for it).
    pub norm: Rc<str>,
    /// Index of the sentence it belongs to.
    pub sentence: usize,
}

/// A sentence's byte span in the original text.
#[derive(Debug, Clone, Copy)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

pub struct Prepared {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "pc", "dc", "ps", "di", "ds", "sgt", "insp", "st", "no", "approx",
    "e.g", "i.e", "etc", "vs", "dob", "tel", "ref", "inc", "a.m", "p.m", "mob",
];

pub fn stemmer() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

/// Word as written → (lower-cased form, normalised form).
type WordCache = rustc_hash::FxHashMap<Box<str>, (Rc<str>, Rc<str>)>;

thread_local! {
    /// Lower-cased and normalised forms of words as written, seen on this
    /// thread: most words of a narrative have been seen before.
    static WORDS: std::cell::RefCell<WordCache> = std::cell::RefCell::new(WordCache::default());
}

/// The lower-cased and normalised forms of a word as written.
fn word_forms(stemmer: &Stemmer, surface: &str) -> (Rc<str>, Rc<str>) {
    if let Some(forms) = WORDS.with(|w| w.borrow().get(surface).cloned()) {
        return forms;
    }
    let mut lower = String::with_capacity(surface.len());
    for c in surface.chars() {
        match c {
            '\'' | '\u{2019}' => {}
            c => lower.extend(c.to_lowercase()),
        }
    }
    let norm = normalise_word(stemmer, &lower);
    let forms: (Rc<str>, Rc<str>) = (lower.into(), norm);
    WORDS.with(|w| {
        let mut w = w.borrow_mut();
        if w.len() >= STEM_CACHE_LIMIT {
            w.clear();
        }
        w.insert(surface.into(), forms.clone());
    });
    forms
}

thread_local! {
    /// Stems of words seen on this thread: practitioners' vocabulary is
    /// small and repetitive, and stemming is the costliest step per word.
    static STEMS: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, Rc<str>>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// Most words the stem cache holds before it starts again.
const STEM_CACHE_LIMIT: usize = 200_000;

/// Normalises one word as patterns see it (cached per thread).
pub fn normalise_word(stemmer: &Stemmer, lower: &str) -> Rc<str> {
    STEMS.with(|cache| {
        if let Some(norm) = cache.borrow().get(lower) {
            return norm.clone();
        }
        let norm: Rc<str> = normalise_word_uncached(stemmer, lower).into();
        let mut c = cache.borrow_mut();
        if c.len() >= STEM_CACHE_LIMIT {
            c.clear();
        }
        c.insert(lower.into(), norm.clone());
        norm
    })
}

fn normalise_word_uncached(stemmer: &Stemmer, lower: &str) -> String {
    if lower.bytes().all(|b| b.is_ascii_digit()) {
        // Numbers that could be an adult's age are told apart, so that
        // "boyfriend aged 24" can be written `boyfriend aged #a`.
        return match lower.parse::<u32>() {
            Ok(n) if (18..=99).contains(&n) => "#a".to_string(),
            _ => "#".to_string(),
        };
    }
    if lower
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
    {
        // A time or a decimal.
        return "#".to_string();
    }
    // Ordinals and ages written together ("15yo", "3rd") keep their letters.
    stemmer.stem(lower).into_owned()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Splits `text` into sentences and tokens.
pub fn prepare(stemmer: &Stemmer, text: &str) -> Prepared {
    let mut tokens = Vec::new();
    let mut sentences = Vec::new();
    let mut sentence_start = 0usize;
    let mut sentence = 0usize;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    tokens.reserve(text.len() / 5);
    let mut i = 0;
    let mut pending_break = false;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if is_word_char(c) {
            if pending_break {
                // A new sentence begins with this word.
                sentences.push(Sentence {
                    start: sentence_start,
                    end: pos,
                });
                sentence += 1;
                sentence_start = pos;
                pending_break = false;
            }
            let start = pos;
            let mut j = i;
            let mut all_digits = true;
            // Words may contain apostrophes (dropped), `/` or `&` between
            // letters (y/o, s/w, a&e), and `:` between digits (21:30).
            while j < chars.len() {
                let (_, cj) = chars[j];
                if is_word_char(cj) {
                    all_digits &= cj.is_ascii_digit();
                    j += 1;
                } else if cj == ':'
                    && all_digits
                    && chars.get(j + 1).is_some_and(|(_, n)| n.is_ascii_digit())
                {
                    j += 1;
                } else if matches!(cj, '\'' | '\u{2019}' | '/' | '&')
                    && j + 1 < chars.len()
                    && is_word_char(chars[j + 1].1)
                    && j > i
                {
                    all_digits = false;
                    j += 1;
                } else {
                    break;
                }
            }
            let end = if j < chars.len() {
                chars[j].0
            } else {
                text.len()
            };
            let (lower, norm) = word_forms(stemmer, &text[start..end]);
            tokens.push(Token {
                start,
                end,
                norm,
                lower,
                sentence,
            });
            i = j;
            continue;
        }
        match c {
            '.' | '!' | '?' | ';' => {
                let is_abbreviation = c == '.'
                    && tokens.last().is_some_and(|t| {
                        t.sentence == sentence
                            && t.end == pos
                            && (ABBREVIATIONS.contains(&t.lower.as_ref()) || t.lower.len() == 1)
                    });
                // A decimal point or a time (03.00) is not a break.
                let next_is_digit = chars.get(i + 1).is_some_and(|(_, n)| n.is_ascii_digit());
                if !is_abbreviation && !next_is_digit {
                    pending_break = true;
                }
            }
            '\n' => {
                // A blank line or a line break in a log ends a sentence.
                pending_break = true;
            }
            _ => {}
        }
        i += 1;
    }
    sentences.push(Sentence {
        start: sentence_start,
        end: text.len(),
    });
    Prepared { tokens, sentences }
}

/// The text of a sentence, trimmed.
pub fn sentence_text(text: &str, s: Sentence) -> &str {
    text.get(s.start..s.end).unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_sentences() {
        let st = stemmer();
        let text = "Kayleigh returned at 03.00 after being MFH. She's got a new phone!\nPC Smith spoke to mum; no concerns. 15 y/o seen at A&E.";
        let p = prepare(&st, text);
        let words: Vec<&str> = p.tokens.iter().map(|t| t.lower.as_ref()).collect();
        assert!(words.contains(&"shes"));
        assert!(words.contains(&"y/o"));
        assert!(words.contains(&"a&e"));
        assert_eq!(
            p.sentences.len(),
            5,
            "{:?}",
            p.sentences
                .iter()
                .map(|s| sentence_text(text, *s))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            sentence_text(text, p.sentences[0]),
            "Kayleigh returned at 03.00 after being MFH."
        );
        let returned = &p.tokens[1];
        assert_eq!(&text[returned.start..returned.end], "returned");
        assert_eq!(&*returned.norm, "return");
        assert_eq!(&*p.tokens[3].norm, "#");
    }

    #[test]
    fn unicode_is_safe() {
        let st = stemmer();
        let p = prepare(&st, "Zoë’s café — naïve… 😀 ok.");
        for t in &p.tokens {
            assert!(t.start < t.end);
        }
    }
}
