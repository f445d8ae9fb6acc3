//! JSON Lines framing: one record a line, read as bytes so that a line of
//! malformed UTF-8 is one quarantined record, not a failed file.

use std::io::BufRead;

use crate::{IngestError, Origin, Payload, RawRecord};

/// Records longer than this are quarantined with their first
/// `MAX_RECORD_BYTES` bytes kept, so one runaway line cannot exhaust memory.
/// The format's largest legitimate record (a 1 MiB narrative, or ten
/// thousand people) is well below it.
pub const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

pub struct JsonLinesFramer<R> {
    reader: R,
    source: String,
    line: u64,
    max_record: usize,
    done: bool,
}

impl<R: BufRead> JsonLinesFramer<R> {
    pub fn new(reader: R, source: impl Into<String>) -> Self {
        JsonLinesFramer {
            reader,
            source: source.into(),
            line: 0,
            max_record: MAX_RECORD_BYTES,
            done: false,
        }
    }

    /// Lowers the record size limit (for tests).
    pub fn with_max_record(mut self, max: usize) -> Self {
        self.max_record = max;
        self
    }

    /// Reads one line into `buf`, keeping at most `max_record` bytes of it.
    /// Returns (bytes consumed, whether the line was cut).
    fn read_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
        let mut consumed = 0;
        let mut cut = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok((consumed, cut));
            }
            let (chunk, found) = match memchr(b'\n', available) {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            let room = self.max_record.saturating_sub(buf.len());
            if chunk.len() > room {
                cut = true;
            }
            buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            let n = chunk.len();
            self.reader.consume(n);
            consumed += n;
            if found {
                return Ok((consumed, cut));
            }
        }
    }
}

/// The first `needle` in `haystack`. Eight bytes at a time: a record is
/// a kilobyte or more, and a byte-by-byte scan was most of the framing.
fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(needle);
    let mut start = 0;
    for chunk in haystack.chunks_exact(8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        // A zero byte in `word` is a byte equal to the needle.
        let word = u64::from_ne_bytes(bytes) ^ pattern;
        if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
            break;
        }
        start += 8;
    }
    haystack[start..]
        .iter()
        .position(|&b| b == needle)
        .map(|i| start + i)
}

impl<R: BufRead> Iterator for JsonLinesFramer<R> {
    type Item = Result<RawRecord, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let mut buf = Vec::new();
            let (consumed, cut) = match self.read_line(&mut buf) {
                Ok(r) => r,
                Err(error) => {
                    self.done = true;
                    return Some(Err(IngestError::Read {
                        source_name: self.source.clone(),
                        error,
                    }));
                }
            };
            if consumed == 0 {
                self.done = true;
                return None;
            }
            self.line += 1;
            if buf.last() == Some(&b'\n') {
                buf.pop();
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            if self.line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
            if buf.iter().all(u8::is_ascii_whitespace) && !cut {
                continue;
            }
            let origin = Origin {
                source: self.source.clone(),
                line: self.line,
            };
            if cut {
                let problem = sightline_model::Problem {
                    field: String::new(),
                    message: format!(
                        "record is longer than {} MiB; its first {} MiB are kept",
                        self.max_record / (1024 * 1024),
                        self.max_record / (1024 * 1024)
                    ),
                };
                return Some(Ok(RawRecord {
                    origin,
                    payload: Payload::Built {
                        raw: buf,
                        object: Err(vec![problem]),
                    },
                }));
            }
            return Some(Ok(RawRecord {
                origin,
                payload: Payload::Json(buf),
            }));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn memchr_finds_the_first_needle_anywhere() {
        for len in 0..40 {
            for at in 0..=len {
                let mut hay = vec![b'a'; len];
                if at < len {
                    hay[at] = b'\n';
                    if at + 3 < len {
                        hay[at + 3] = b'\n';
                    }
                }
                let expected = hay.iter().position(|&b| b == b'\n');
                assert_eq!(super::memchr(b'\n', &hay), expected, "{len} {at}");
            }
        }
        assert_eq!(super::memchr(b'\n', b"\x8a\x0a\xff"), Some(1));
        assert_eq!(super::memchr(b'\n', &[0x0b; 17]), None);
    }

    use super::*;

    fn frame(input: &[u8]) -> Vec<(u64, Vec<u8>)> {
        JsonLinesFramer::new(input, "t")
            .map(|r| {
                let r = r.unwrap();
                let bytes = match r.payload {
                    Payload::Json(b) => b,
                    Payload::Built { raw, .. } => raw,
                };
                (r.origin.line, bytes)
            })
            .collect()
    }

    #[test]
    fn lines_blank_lines_crlf_and_bom() {
        let got = frame(b"\xEF\xBB\xBF{\"a\":1}\r\n\n  \n{\"b\":2}");
        assert_eq!(
            got,
            vec![(1, b"{\"a\":1}".to_vec()), (4, b"{\"b\":2}".to_vec())]
        );
    }

    #[test]
    fn empty_input_has_no_records() {
        assert!(frame(b"").is_empty());
        assert!(frame(b"\n\n").is_empty());
    }

    #[test]
    fn oversized_lines_are_cut_and_flagged() {
        let input = b"0123456789\n{}\n";
        let records: Vec<_> = JsonLinesFramer::new(&input[..], "t")
            .with_max_record(4)
            .map(Result::unwrap)
            .collect();
        assert_eq!(records.len(), 2);
        match &records[0].payload {
            Payload::Built { raw, object } => {
                assert_eq!(raw, b"0123");
                assert!(object.is_err());
            }
            Payload::Json(_) => panic!("expected the long line to be flagged"),
        }
        assert_eq!(records[1].origin.line, 2);
    }
}
