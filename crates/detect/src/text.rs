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

/// Words a sentence cannot end with: a line ending in one was wrapped.
const CANNOT_END: &[&str] = &[
    "a", "an", "the", "of", "to", "and", "or", "with", "by", "for", "from", "was", "were", "is",
    "are", "had", "has", "been",
];

/// How long a line must be to have been wrapped: a short line going on in
/// lower case is a log's next entry ("not at home\npicked up by ...").
const WRAPPED_LINE: usize = 50;

pub fn stemmer() -> Stemmer {
    Stemmer::create(Algorithm::English)
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

/// A clock time written with am or pm ("2am", "11pm", "12am"): whether it
/// is at night (22:00 to 05:59), or `None` when the word is not one.
pub fn am_pm_is_night(lower: &str) -> Option<bool> {
    let (digits, pm) = if let Some(d) = lower.strip_suffix("pm") {
        (d, true)
    } else {
        (lower.strip_suffix("am")?, false)
    };
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hour: u32 = digits.parse().ok()?;
    if !(1..=12).contains(&hour) {
        return None;
    }
    let h24 = hour % 12 + if pm { 12 } else { 0 };
    Some(h24 >= 22 || h24 <= 5)
}

fn normalise_word_uncached(stemmer: &Stemmer, lower: &str) -> String {
    if let Some(night) = am_pm_is_night(lower) {
        return if night { "#n" } else { "#t" }.to_string();
    }
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

/// The character at byte `i` of `text` (which must be a char boundary).
#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        Some(b as char)
    } else {
        text[i..].chars().next()
    }
}

#[inline]
fn word_char_at(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        None => false,
        Some(&b) if b < 0x80 => b.is_ascii_alphanumeric(),
        Some(_) => char_at(text, i).is_some_and(is_word_char),
    }
}

/// [`BYTE_CLASS`]: an ASCII letter or digit.
const ALPHANUMERIC: u8 = 1;
/// [`BYTE_CLASS`]: an ASCII capital letter.
const CAPITAL: u8 = 2;

/// What each byte is to the scanner's run of ASCII letters and digits
/// (one look-up instead of three ranges per byte), in the last few bytes
/// of a text.
static BYTE_CLASS: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            classes[b] |= ALPHANUMERIC;
        }
        if byte.is_ascii_uppercase() {
            classes[b] |= CAPITAL;
        }
        b += 1;
    }
    classes
};

/// A run of ASCII letters and digits ([`alphanumeric_run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    end: usize,
    capitals: bool,
    /// A run of fewer than eight bytes, lower-cased, as a number: byte `k`
    /// in bits `8k..8k + 8`, zeros above ([`Word::short_key`]).
    short_key: Option<u64>,
}

/// The run of ASCII letters and digits starting at byte `i`: where it
/// ends, whether it has a capital, and a short one's bytes lower-cased as a
/// number (read with the run). Eight bytes are classed at a time, by
/// arithmetic on them side by side in a number (each byte's high bit says
/// whether it is in a range), and the run ends at the first that is no
/// letter or digit: where a word ends is not foretold, and a branch per
/// byte would be mispredicted once per word.
#[inline]
fn alphanumeric_run(bytes: &[u8], i: usize) -> Run {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `low7` (bytes below 0x80) from `lo` to
    // `hi`: adding 0x80 - lo sets it from lo on, and adding 0x7f - hi sets
    // it past hi (no sum carries into the next byte).
    let within = |low7: u64, lo: u8, hi: u8| {
        let from_lo = low7 + ONES * u64::from(0x80 - lo);
        let past_hi = low7 + ONES * u64::from(0x7f - hi);
        from_lo & !past_hi & HIGH
    };
    let mut j = i;
    let mut capitals = 0u64;
    while let Some(chunk) = bytes.get(j..j + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let ascii = !x & HIGH;
        let low7 = x & !HIGH;
        let capital = within(low7, b'A', b'Z') & ascii;
        let alphanumeric = (within(low7, b'0', b'9') | capital | within(low7, b'a', b'z')) & ascii;
        // (The high bit of byte k is bit 8k + 7; none clear gives 64.)
        let run = (!alphanumeric & HIGH).trailing_zeros() as usize / 8;
        let in_run = u64::MAX.checked_shr(64 - 8 * run as u32).unwrap_or(0);
        // (A capital's high bit, shifted to 0x20, lower-cases it.)
        let short_key = (j == i).then_some((x | (capital >> 2)) & in_run);
        capitals |= capital & in_run;
        j += run;
        if run < 8 {
            return Run {
                end: j,
                capitals: capitals != 0,
                short_key,
            };
        }
    }
    // The last few bytes of the text, one at a time.
    let mut classes = 0;
    while let Some(&b) = bytes.get(j) {
        let class = BYTE_CLASS[usize::from(b)];
        if class & ALPHANUMERIC == 0 {
            break;
        }
        classes |= class;
        j += 1;
    }
    Run {
        end: j,
        capitals: capitals != 0 || classes & CAPITAL != 0,
        short_key: None,
    }
}

/// One word as the scanner finds it.
#[derive(Debug, Clone, Copy)]
pub struct Word<'a> {
    pub start: usize,
    pub end: usize,
    /// Lower-cased, apostrophes dropped (valid until the next word).
    pub lower: &'a str,
    pub sentence: usize,
    /// Whether `lower` is the written word in ASCII lower case, as long
    /// (no apostrophe dropped, no character other than ASCII).
    pub plain: bool,
    /// `lower` as a number when it is under eight bytes and was read in
    /// one piece: byte `k` in bits `8k..8k + 8`, zeros above (so that a
    /// look-up by it needs no second pass over the word).
    pub short_key: Option<u64>,
}

/// Reads the word starting at byte `start` of `text` into `buf`,
/// lower-cased and with apostrophes dropped; returns where it ends.
fn read_word(text: &str, start: usize, buf: &mut String) -> usize {
    let bytes = text.as_bytes();
    let mut j = start;
    let mut all_digits = true;
    buf.clear();
    // Words may contain apostrophes (dropped), `/` or `&` between
    // letters (y/o, s/w, a&e), and `:` between digits (21:30).
    while j < bytes.len() {
        let bj = bytes[j];
        if bj < 0x80 {
            if bj.is_ascii_alphanumeric() {
                // A run of ASCII letters and digits at once.
                let run = j;
                while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
                    all_digits &= bytes[j].is_ascii_digit();
                    j += 1;
                }
                let from = buf.len();
                buf.push_str(&text[run..j]);
                buf[from..].make_ascii_lowercase();
            } else if bj == b':' && all_digits && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
                buf.push(':');
                j += 1;
            } else if matches!(bj, b'\'' | b'/' | b'&') && word_char_at(text, j + 1) {
                all_digits = false;
                if bj != b'\'' {
                    buf.push(bj as char);
                }
                j += 1;
            } else {
                break;
            }
        } else {
            let cj = char_at(text, j).unwrap_or(' ');
            let w = cj.len_utf8();
            if is_word_char(cj) {
                all_digits = false;
                buf.extend(cj.to_lowercase());
                j += w;
            } else if cj == '\u{2019}' && word_char_at(text, j + w) {
                all_digits = false;
                j += w;
            } else {
                break;
            }
        }
    }
    j
}

/// Splits `text` into sentences and words in one pass without allocating
/// per word: `on_word` sees each word with its lower-cased form (in
/// `buf`, reused). Returns the sentences.
pub fn scan(text: &str, buf: &mut String, mut on_word: impl FnMut(Word<'_>)) -> Vec<Sentence> {
    let bytes = text.as_bytes();
    let mut sentences = Vec::new();
    let mut sentence_start = 0usize;
    let mut sentence = 0usize;
    let mut pending_break = false;
    // The last word: its start, end and sentence.
    let mut last: Option<(usize, usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (c, width, word) = if b < 0x80 {
            (b as char, 1, b.is_ascii_alphanumeric())
        } else {
            let c = char_at(text, i).unwrap_or(' ');
            (c, c.len_utf8(), is_word_char(c))
        };
        if word {
            if pending_break {
                // A new sentence begins with this word.
                sentences.push(Sentence {
                    start: sentence_start,
                    end: i,
                });
                sentence += 1;
                sentence_start = i;
                pending_break = false;
            }
            let start = i;
            // Most words are one run of ASCII letters and digits, ended by
            // a byte that cannot go on a word (a space, a full stop): with
            // no capital, their lower-cased form is their text, read
            // without copying. (Any other word is read by `read_word`.)
            let run = alphanumeric_run(bytes, i);
            let (mut j, capitals, mut short_key) = (run.end, run.capitals, run.short_key);
            let ends_word = bytes
                .get(j)
                .is_none_or(|&bj| bj < 0x80 && !matches!(bj, b':' | b'\'' | b'/' | b'&'));
            // (One call of `on_word` for both kinds of word, so that it can
            // be inlined here.)
            let mut plain = true;
            let lower = if !ends_word {
                j = read_word(text, start, buf);
                short_key = None;
                // (Lower-casing keeps the length of ASCII alone, and an
                // apostrophe is dropped.)
                plain = buf.len() == j - start && buf.is_ascii();
                buf.as_str()
            } else if capitals {
                // One run with capitals ("She", "MFH"): lower-cased into
                // `buf` as the run is read.
                buf.clear();
                buf.extend(
                    bytes[start..j]
                        .iter()
                        .map(|b| char::from(b.to_ascii_lowercase())),
                );
                buf.as_str()
            } else {
                &text[start..j]
            };
            on_word(Word {
                start,
                end: j,
                lower,
                sentence,
                plain,
                short_key,
            });
            last = Some((start, j, sentence));
            i = j;
            continue;
        }
        match c {
            '.' | '!' | '?' | ';' => {
                // (Whether the word before is an abbreviation is only asked
                // here, at a full stop right after it.)
                let is_abbreviation = c == '.'
                    && last.is_some_and(|(start, end, s)| {
                        let w = &text[start..end];
                        s == sentence
                            && end == i
                            && (w.chars().count() == 1
                                || ABBREVIATIONS.iter().any(|a| w.eq_ignore_ascii_case(a)))
                    });
                // A decimal point or a time (03.00) is not a break.
                let next_is_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !is_abbreviation && !next_is_digit {
                    pending_break = true;
                }
            }
            '\n' => {
                // A blank line or a line break in a log ends a sentence; a
                // line of prose wrapped mid-sentence (text copied from a
                // PDF: "seen with older\nmen in the town") does not: its
                // next line goes on in lower case, or its last word cannot
                // end one.
                let next = text[i + 1..].trim_start_matches([' ', '\t', '\r']);
                let blank = next.starts_with('\n') || next.is_empty();
                let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
                let long_line = text[line_start..i].trim().chars().count() >= WRAPPED_LINE;
                let continues = (long_line && next.chars().next().is_some_and(char::is_lowercase))
                    || last.is_some_and(|(start, end, s)| {
                        s == sentence
                            && CANNOT_END
                                .iter()
                                .any(|w| text[start..end].eq_ignore_ascii_case(w))
                    });
                if blank || !continues {
                    pending_break = true;
                }
            }
            _ => {}
        }
        i += width;
    }
    sentences.push(Sentence {
        start: sentence_start,
        end: text.len(),
    });
    sentences
}

/// Splits `text` into sentences and tokens (with their stems: for rule
/// compilation and tests; detection uses [`scan`] directly).
pub fn prepare(stemmer: &Stemmer, text: &str) -> Prepared {
    let mut tokens = Vec::new();
    let mut buf = String::new();
    let sentences = scan(text, &mut buf, |w| {
        let lower: Rc<str> = w.lower.into();
        let norm = normalise_word(stemmer, w.lower);
        tokens.push(Token {
            start: w.start,
            end: w.end,
            lower,
            norm,
            sentence: w.sentence,
        });
    });
    Prepared { tokens, sentences }
}

/// The text of a sentence, trimmed.
pub fn sentence_text(text: &str, s: Sentence) -> &str {
    text.get(s.start..s.end).unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    #[test]
    fn am_and_pm_are_clock_times() {
        assert_eq!(am_pm_is_night("2am"), Some(true));
        assert_eq!(am_pm_is_night("11pm"), Some(true));
        assert_eq!(am_pm_is_night("12am"), Some(true));
        assert_eq!(am_pm_is_night("9pm"), Some(false));
        assert_eq!(am_pm_is_night("12pm"), Some(false));
        assert_eq!(am_pm_is_night("6am"), Some(false));
        assert_eq!(am_pm_is_night("13pm"), None);
        assert_eq!(am_pm_is_night("pm"), None);
        assert_eq!(am_pm_is_night("spam"), None);
    }

    use super::*;

    #[test]
    fn a_wrapped_line_goes_on_but_a_log_line_ends() {
        let st = stemmer();
        let wrapped = "During the period under review she was frequently seen with older\n\
                       men in the town centre, and on two occasions she was found at the\n\
                       Royal Hotel.";
        assert_eq!(prepare(&st, wrapped).sentences.len(), 1);
        let log = "14/02 MFH reported\n15/02 located at a flat\n\nno injuries";
        assert_eq!(prepare(&st, log).sentences.len(), 3);
        // Short log lines in lower case are entries of their own.
        let log = "not at home\npicked up by older men in cars";
        assert_eq!(prepare(&st, log).sentences.len(), 2);
    }

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
    fn runs_of_letters_and_digits_end_where_a_byte_at_a_time_ends_them() {
        // Every byte value at every place of a run, and runs of every length.
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for b in 0..=255u8 {
            for at in 0..12 {
                let mut t = b"aZ09yKqmXw3Lp7".to_vec();
                t[at] = b;
                texts.push(t);
            }
        }
        for len in 0..20 {
            texts.push(
                b"Abcdefghij0123456789xyz"
                    .iter()
                    .take(len)
                    .copied()
                    .chain(*b" x")
                    .collect(),
            );
        }
        for t in &texts {
            for i in 0..t.len() {
                let mut j = i;
                let mut capitals = false;
                while j < t.len() && t[j].is_ascii_alphanumeric() {
                    capitals |= t[j].is_ascii_uppercase();
                    j += 1;
                }
                let run = alphanumeric_run(t, i);
                assert_eq!((run.end, run.capitals), (j, capitals), "{t:?} from {i}");
                if let Some(key) = run.short_key {
                    let mut lower = [0u8; 8];
                    lower[..j - i].copy_from_slice(&t[i..j].to_ascii_lowercase());
                    assert_eq!(key, u64::from_le_bytes(lower), "{t:?} from {i}");
                }
            }
        }
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
