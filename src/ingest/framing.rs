//! Framing: split a byte stream into lines without trusting it.
//!
//! [`LineReader`] hands out each line as a slice of its own buffer (no copy),
//! never holds more than `cap` bytes of one line, and reports an oversized
//! line as [`Line::TooLong`] after skipping to its end, so a 50 MB line costs
//! `cap` bytes of memory and one diagnostic.

use std::io::{self, Read};

use memchr::memchr;

/// One framed line.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line's bytes, without the `\n` (and without a trailing `\r`).
    Data(&'a [u8]),
    /// The line was longer than the cap; its length in bytes.
    TooLong(u64),
}

enum Raw {
    Data(usize, usize),
    TooLong(u64),
}

/// A line reader with a per-line size cap.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    cap: usize,
    eof: bool,
    line_no: u64,
}

const CHUNK: usize = 1 << 20;

impl<R: Read> LineReader<R> {
    /// Lines longer than `cap` bytes are reported, not returned.
    pub fn new(inner: R, cap: usize) -> Self {
        LineReader {
            inner,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            cap,
            eof: false,
            line_no: 0,
        }
    }

    /// 1-based number of the line last returned.
    pub fn line_no(&self) -> u64 {
        self.line_no
    }

    /// Read more bytes after compacting; returns bytes read (0 at EOF).
    fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let grow = self.buf.len().min(self.cap.saturating_add(1));
            self.buf.resize(self.buf.len() + grow.max(CHUNK), 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    if n == 0 {
                        self.eof = true;
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next line, or `None` at end of input.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, Line<'_>)>> {
        Ok(match self.next_inner()? {
            None => None,
            Some(Raw::Data(s, e)) => Some((self.line_no, Line::Data(trim_cr(&self.buf[s..e])))),
            Some(Raw::TooLong(n)) => Some((self.line_no, Line::TooLong(n))),
        })
    }

    fn next_inner(&mut self) -> io::Result<Option<Raw>> {
        let mut scanned = 0usize; // bytes of the current line already searched
        loop {
            let avail = &self.buf[self.start + scanned..self.end];
            if let Some(i) = memchr(b'\n', avail) {
                let line_end = self.start + scanned + i;
                let len = line_end - self.start;
                self.line_no += 1;
                let s = self.start;
                self.start = line_end + 1;
                if len > self.cap {
                    return Ok(Some(Raw::TooLong(len as u64)));
                }
                return Ok(Some(Raw::Data(s, line_end)));
            }
            scanned = self.end - self.start;
            if scanned > self.cap {
                // Too long: drop what we have and skip to the next newline.
                let mut skipped = scanned as u64;
                self.start = self.end;
                loop {
                    if self.fill()? == 0 {
                        self.line_no += 1;
                        return Ok(Some(Raw::TooLong(skipped)));
                    }
                    if let Some(i) = memchr(b'\n', &self.buf[self.start..self.end]) {
                        skipped += i as u64;
                        self.start += i + 1;
                        self.line_no += 1;
                        return Ok(Some(Raw::TooLong(skipped)));
                    }
                    skipped += (self.end - self.start) as u64;
                    self.start = self.end;
                }
            }
            if self.eof || self.fill()? == 0 {
                if self.start == self.end {
                    return Ok(None);
                }
                // Last line without a trailing newline.
                let s = self.start;
                let e = self.end;
                self.start = self.end;
                self.line_no += 1;
                if e - s > self.cap {
                    return Ok(Some(Raw::TooLong((e - s) as u64)));
                }
                return Ok(Some(Raw::Data(s, e)));
            }
        }
    }
}

fn trim_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Read all of `r` up to `cap` bytes; `Ok(None)` if it is larger.
pub fn read_capped(r: &mut dyn Read, cap: usize) -> io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    let n = r.take(cap as u64 + 1).read_to_end(&mut out)?;
    if n > cap {
        return Ok(None);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], cap: usize) -> Vec<String> {
        let mut r = LineReader::new(input, cap);
        let mut out = Vec::new();
        while let Some((no, l)) = r.next_line().unwrap() {
            out.push(match l {
                Line::Data(d) => format!("{no}:{}", String::from_utf8_lossy(d)),
                Line::TooLong(n) => format!("{no}:TOOLONG({n})"),
            });
        }
        out
    }

    #[test]
    fn splits_lines_and_strips_cr() {
        assert_eq!(lines(b"a\r\nbb\n\nc", 10), vec!["1:a", "2:bb", "3:", "4:c"]);
        assert_eq!(lines(b"", 10), Vec::<String>::new());
    }

    #[test]
    fn oversized_lines_are_reported_and_skipped() {
        let mut input = b"ok\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 5000));
        input.extend(b"\nafter\n");
        input.extend(std::iter::repeat_n(b'y', 3000));
        assert_eq!(
            lines(&input, 100),
            vec!["1:ok", "2:TOOLONG(5000)", "3:after", "4:TOOLONG(3000)"]
        );
    }

    #[test]
    fn oversized_line_larger_than_buffer() {
        let mut input = vec![b'z'; 3 * CHUNK + 17];
        input.extend(b"\nend\n");
        assert_eq!(
            lines(&input, 1000),
            vec![
                format!("1:TOOLONG({})", 3 * CHUNK + 17),
                "2:end".to_string()
            ]
        );
    }
}
