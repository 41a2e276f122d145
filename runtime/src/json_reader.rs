//! A JSON reader for response bodies: the fast path of [`crate::codec::from_json_bytes`].
//!
//! serde_json spends most of a pod list's decode finding where each string ends (about 80
//! instructions for an 8-byte key) and skipping the managedFields sets it keeps as raw text. This
//! reader does the same work for bodies already checked to be UTF-8: strings are scanned eight
//! bytes at a time without a call per string, and raw values are skipped by one tight loop.
//!
//! It never decides what an error is. It is as strict as serde_json or stricter (numbers it
//! does not parse exactly as serde_json would, such as floats and `-0`, are read by serde_json
//! itself), and on any error the caller decodes the body again with serde_json, whose result
//! and error message are the ones returned. So a bug here can cost time, never change an
//! answer, as long as it accepts nothing serde_json rejects; the tests compare the two.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The name [`raw_text`] asks for: this reader answers it with the value's text.
const RAW_TEXT: &str = "$kubeclient::private::RawText";

/// serde_json's nesting limit (127 arrays and objects inside one another): deeper input is an
/// error there, so it is one here too.
const MAX_DEPTH: u32 = 128;

/// Why the fast path gave up; only ever seen by tests (the caller asks serde_json instead).
#[derive(Debug)]
pub(crate) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

#[cold]
fn fail<T>(what: &str, at: usize) -> Result<T> {
    Err(Error(format!("{what} at byte {at}")))
}

/// Decode `text`, which must hold one JSON value and nothing but whitespace after it.
pub(crate) fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> Result<T> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        scratch: Vec::new(),
    };
    let value = T::deserialize(&mut reader)?;
    reader.skip_space();
    if reader.pos != reader.bytes.len() {
        return fail("trailing characters", reader.pos);
    }
    Ok(value)
}

/// A JSON value's text as the input holds it, from this reader (borrowed) or from any other
/// deserializer through serde_json's `RawValue` (copied): how raw-text fields such as
/// `FieldsV1` decode.
pub(crate) fn raw_text<'de, D: Deserializer<'de>, R>(
    d: D,
    make: impl FnOnce(&str) -> R,
) -> std::result::Result<R, D::Error> {
    struct RawVisitor<F>(F);
    impl<'de, R, F: FnOnce(&str) -> R> Visitor<'de> for RawVisitor<F> {
        type Value = R;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_borrowed_str<E: de::Error>(self, raw: &'de str) -> std::result::Result<R, E> {
            Ok((self.0)(raw))
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<R, D::Error> {
            use serde::Deserialize;
            let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
            Ok((self.0)(raw.get()))
        }
    }
    d.deserialize_newtype_struct(RAW_TEXT, RawVisitor(make))
}

/// Bytes that end the plain run of a string: `"`, `\` and control characters.
#[inline]
fn special_in(chunk: u64) -> u64 {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let control = chunk.wrapping_sub(ONES * 0x20) & !chunk;
    let q = chunk ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = chunk ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (control | quote | backslash) & HIGH
}

#[inline]
fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The first byte at or after `at` that is not JSON whitespace.
#[inline]
fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\t' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// Just past `word` at `at`, which must be there.
fn literal_end(bytes: &[u8], at: usize, word: &[u8]) -> Result<usize> {
    match bytes.get(at..) {
        Some(rest) if rest.starts_with(word) => Ok(at + word.len()),
        _ => fail("invalid literal", at),
    }
}

struct Reader<'de> {
    text: &'de str,
    bytes: &'de [u8],
    pos: usize,
    depth: u32,
    /// Strings with escapes are unescaped here.
    scratch: Vec<u8>,
}

/// A string's text: a slice of the input, or the unescaped copy in the scratch buffer.
enum Text<'de, 's> {
    Borrowed(&'de str),
    Copied(&'s str),
}

impl<'de> Reader<'de> {
    #[inline]
    fn skip_space(&mut self) {
        self.pos = skip_space(self.bytes, self.pos);
    }

    /// The next byte after whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Result<u8> {
        match self.bytes.get(self.pos) {
            // Above the space character: no whitespace to skip (the usual case, compact JSON).
            Some(&b) if b > b' ' => Ok(b),
            _ => self.peek_after_space(),
        }
    }

    #[inline(never)]
    fn peek_after_space(&mut self) -> Result<u8> {
        self.skip_space();
        match self.bytes.get(self.pos) {
            Some(&b) => Ok(b),
            None => fail("unexpected end of input", self.pos),
        }
    }

    /// A string to `visitor`; the reader is at its opening quote.
    #[inline]
    fn visit_string<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.string()? {
            Text::Borrowed(s) => visitor.visit_borrowed_str(s),
            Text::Copied(s) => visitor.visit_str(s),
        }
    }

    /// Consume `word` (after its first byte was peeked).
    fn literal(&mut self, word: &[u8]) -> Result<()> {
        self.pos = literal_end(self.bytes, self.pos, word)?;
        Ok(())
    }

    /// The first special byte at or after `at` (or the end of input), a word at a time.
    #[inline]
    fn plain_run_end(&self, mut at: usize) -> usize {
        let bytes = self.bytes;
        while let Some(chunk) = bytes.get(at..at + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let found = special_in(u64::from_le_bytes(word));
            if found != 0 {
                return at + (found.trailing_zeros() / 8) as usize;
            }
            at += 8;
        }
        while let Some(&b) = bytes.get(at) {
            if is_special(b) {
                break;
            }
            at += 1;
        }
        at
    }

    /// A string whose opening quote is at `self.pos`.
    #[inline]
    fn string<'s>(&'s mut self) -> Result<Text<'de, 's>> {
        let start = self.pos + 1;
        let end = self.plain_run_end(start);
        match self.bytes.get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                Ok(Text::Borrowed(&self.text[start..end]))
            }
            _ => self.escaped_string(start, end),
        }
    }

    /// The rest of a string that has an escape (or is malformed) at `end`. The runs between
    /// escapes are short (`{\"key\":\"value\"}`): each eight-byte word is appended whole
    /// and cut back to its plain prefix, rather than a scan and a copy call per run.
    #[inline(never)]
    fn escaped_string<'s>(&'s mut self, start: usize, end: usize) -> Result<Text<'de, 's>> {
        let bytes = self.bytes;
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out.extend_from_slice(&bytes[start..end]);
        let mut at = end;
        let outcome = loop {
            match bytes.get(at) {
                Some(b'"') => break Ok(()),
                Some(b'\\') => {
                    if bytes.get(at + 1) == Some(&b'"') {
                        // The escape of embedded JSON, by far the most common one.
                        out.push(b'"');
                        at += 2;
                    } else {
                        self.pos = at + 1;
                        match self.escape() {
                            Ok(c) if c.is_ascii() => out.push(c as u8),
                            Ok(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                            Err(e) => break Err(e),
                        }
                        at = self.pos;
                    }
                    // The plain run after the escape, a word at a time.
                    while let Some(chunk) = bytes.get(at..at + 8) {
                        let mut word = [0u8; 8];
                        word.copy_from_slice(chunk);
                        out.extend_from_slice(&word);
                        let found = special_in(u64::from_le_bytes(word));
                        if found != 0 {
                            let plain = (found.trailing_zeros() / 8) as usize;
                            out.truncate(out.len() - 8 + plain);
                            at += plain;
                            break;
                        }
                        at += 8;
                    }
                }
                Some(&b) if b >= 0x20 => {
                    out.push(b);
                    at += 1;
                }
                Some(_) => break fail("control character in string", at),
                None => break fail("unterminated string", at),
            }
        };
        self.scratch = out;
        outcome?;
        self.pos = at + 1;
        // UTF-8 input with whole characters put in for escapes: the check cannot fail.
        match std::str::from_utf8(&self.scratch) {
            Ok(text) => Ok(Text::Copied(text)),
            Err(_) => fail("invalid UTF-8", at),
        }
    }

    /// The character an escape stands for; `self.pos` is just after the backslash.
    fn escape(&mut self) -> Result<char> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return fail("unterminated escape", self.pos);
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                match first {
                    0xD800..=0xDBFF => {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return fail("lone surrogate", self.pos);
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return fail("invalid surrogate pair", self.pos);
                        }
                        let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        match char::from_u32(c) {
                            Some(c) => c,
                            None => return fail("invalid escape", self.pos),
                        }
                    }
                    _ => match char::from_u32(first) {
                        Some(c) => c,
                        None => return fail("lone surrogate", self.pos),
                    },
                }
            }
            _ => return fail("invalid escape", self.pos - 1),
        })
    }

    fn hex4(&mut self) -> Result<u32> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            return fail("unterminated escape", self.pos);
        };
        let mut n = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return fail("invalid \\u escape", self.pos),
            };
            n = n * 16 + u32::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// Just past the string whose opening quote is at `at`. Escapes are checked for form only
    /// (an escape letter, or `u` and four hex digits), as serde_json checks a value it skips.
    #[inline]
    fn string_end(&self, at: usize) -> Result<usize> {
        let bytes = self.bytes;
        let mut at = self.plain_run_end(at + 1);
        loop {
            match bytes.get(at) {
                Some(b'"') => return Ok(at + 1),
                Some(b'\\') => {
                    at = match bytes.get(at + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => at + 2,
                        Some(b'u')
                            if bytes
                                .get(at + 2..at + 6)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            at + 6
                        }
                        _ => return fail("invalid escape", at),
                    };
                    at = self.plain_run_end(at);
                }
                Some(_) => return fail("control character in string", at),
                None => return fail("unterminated string", at),
            }
        }
    }

    /// The end of the number token at `start`, checked against JSON's grammar, and whether it
    /// has a fraction or an exponent.
    fn number_end(&self, start: usize) -> Result<(usize, bool)> {
        let b = self.bytes;
        let digits = |mut at: usize| {
            let from = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            (at, at - from)
        };
        let mut at = start;
        if b.get(at) == Some(&b'-') {
            at += 1;
        }
        let (int_end, n) = digits(at);
        if n == 0 || (n > 1 && b[at] == b'0') {
            return fail("invalid number", start);
        }
        at = int_end;
        let mut float = false;
        if b.get(at) == Some(&b'.') {
            let (end, n) = digits(at + 1);
            if n == 0 {
                return fail("invalid number", at);
            }
            at = end;
            float = true;
        }
        if matches!(b.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(b.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            let (end, n) = digits(at);
            if n == 0 {
                return fail("invalid number", at);
            }
            at = end;
            float = true;
        }
        Ok((at, float))
    }

    /// A number, handed to `visitor` as serde_json would: `u64` for a non-negative integer,
    /// `i64` for a negative one, `f64` otherwise.
    fn number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let (end, float) = self.number_end(self.pos)?;
        let token = &self.text[self.pos..end];
        if !float {
            if let Some(digits) = token.strip_prefix('-') {
                if let Ok(n) = digits.parse::<u64>() {
                    if n != 0 && n <= 1 << 63 {
                        self.pos = end;
                        return visitor.visit_i64((n as i64).wrapping_neg());
                    }
                }
            } else if let Ok(n) = token.parse::<u64>() {
                self.pos = end;
                return visitor.visit_u64(n);
            }
        }
        // Floats, `-0` and integers too large for 64 bits: serde_json's own reading, so the
        // value (and its rounding) is exactly serde_json's.
        let n: serde_json::Number = serde_json::from_str(token).map_err(de::Error::custom)?;
        self.pos = end;
        if let Some(u) = n.as_u64() {
            visitor.visit_u64(u)
        } else if let Some(i) = n.as_i64() {
            visitor.visit_i64(i)
        } else {
            match n.as_f64() {
                Some(f) => visitor.visit_f64(f),
                None => fail("invalid number", self.pos),
            }
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return fail("nesting too deep", self.pos);
        }
        self.pos += 1;
        Ok(())
    }

    fn leave(&mut self, close: u8) -> Result<()> {
        self.depth -= 1;
        if self.peek()? != close {
            return fail("expected the end of the array or object", self.pos);
        }
        self.pos += 1;
        Ok(())
    }

    /// Skip one value, checked as serde_json checks a value it skips, in one loop: the open
    /// arrays and objects are bits of `objects` (1 for an object), innermost lowest.
    fn skip_value(&mut self) -> Result<()> {
        let bytes = self.bytes;
        let mut at = self.pos;
        let mut open = 0u32;
        let mut objects = 0u128;
        loop {
            // A value starts here.
            at = skip_space(bytes, at);
            match bytes.get(at) {
                Some(b'"') => at = self.string_end(at)?,
                Some(&open_char @ (b'{' | b'[')) => {
                    open += 1;
                    if self.depth + open >= MAX_DEPTH {
                        return fail("nesting too deep", at);
                    }
                    let object = open_char == b'{';
                    objects = (objects << 1) | u128::from(object);
                    at = skip_space(bytes, at + 1);
                    let close = if object { b'}' } else { b']' };
                    if bytes.get(at) == Some(&close) {
                        at += 1;
                        open -= 1;
                        objects >>= 1;
                    } else {
                        if object {
                            at = self.key_and_colon(at)?;
                        }
                        continue;
                    }
                }
                Some(b't') => at = literal_end(bytes, at, b"true")?,
                Some(b'f') => at = literal_end(bytes, at, b"false")?,
                Some(b'n') => at = literal_end(bytes, at, b"null")?,
                Some(b'-' | b'0'..=b'9') => at = self.number_end(at)?.0,
                _ => return fail("expected a value", at),
            }
            // After a value: a comma (and in an object the next key), or closing brackets.
            loop {
                if open == 0 {
                    self.pos = at;
                    return Ok(());
                }
                at = skip_space(bytes, at);
                let object = objects & 1 == 1;
                match bytes.get(at) {
                    Some(b',') => {
                        at += 1;
                        if object {
                            at = self.key_and_colon(skip_space(bytes, at))?;
                        }
                        break;
                    }
                    Some(b'}') if object => {}
                    Some(b']') if !object => {}
                    _ => return fail("expected ',' or a closing bracket", at),
                }
                at += 1;
                open -= 1;
                objects >>= 1;
            }
        }
    }

    /// Just past the `"key":` at `at`.
    fn key_and_colon(&self, at: usize) -> Result<usize> {
        if self.bytes.get(at) != Some(&b'"') {
            return fail("expected a key", at);
        }
        let at = skip_space(self.bytes, self.string_end(at)?);
        if self.bytes.get(at) != Some(&b':') {
            return fail("expected ':'", at);
        }
        Ok(at + 1)
    }

    #[cold]
    fn wrong_type<T>(&self) -> Result<T> {
        fail("a value of another type", self.pos)
    }
}

impl<'de> Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b'"' => self.deserialize_str(visitor),
            b'{' => self.deserialize_map(visitor),
            b'[' => self.deserialize_seq(visitor),
            b't' | b'f' => self.deserialize_bool(visitor),
            b'n' => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            b'-' | b'0'..=b'9' => self.number(visitor),
            _ => fail("expected a value", self.pos),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b't' => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            _ => self.wrong_type(),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.number(visitor),
            _ => self.wrong_type(),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? != b'"' {
            return self.wrong_type();
        }
        self.visit_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        // serde_json hands strings over as bytes without their UTF-8 check: leave it to it.
        fail("bytes are read by serde_json", self.pos)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? != b'n' {
            return self.wrong_type();
        }
        self.literal(b"null")?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == RAW_TEXT {
            self.skip_space();
            let start = self.pos;
            self.skip_value()?;
            return visitor.visit_borrowed_str(&self.text[start..self.pos]);
        }
        if name.starts_with("$serde_json::") {
            // serde_json's own RawValue and Number protocols: only serde_json speaks them.
            return fail("serde_json private type", self.pos);
        }
        visitor.visit_newtype_struct(self)
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? != b'[' {
            return self.wrong_type();
        }
        self.enter()?;
        let value = visitor.visit_seq(Elements {
            reader: self,
            first: true,
        })?;
        self.leave(b']')?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    #[inline]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? != b'{' {
            return self.wrong_type();
        }
        self.enter()?;
        let value = visitor.visit_map(Entries {
            reader: self,
            first: true,
        })?;
        self.leave(b'}')?;
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek()? {
            b'[' => self.deserialize_seq(visitor),
            _ => self.deserialize_map(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        // No API type is a serde enum; should one appear, serde_json reads it.
        fail("enums are read by serde_json", self.pos)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }
}

/// The elements of an array.
struct Elements<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let r = &mut *self.reader;
        let b = r.peek()?;
        if b == b']' {
            return Ok(None);
        }
        if !std::mem::take(&mut self.first) {
            if b != b',' {
                return fail("expected ',' or ']'", r.pos);
            }
            r.pos += 1;
            if r.peek()? == b']' {
                return fail("trailing comma", r.pos);
            }
        }
        seed.deserialize(r).map(Some)
    }
}

/// The entries of an object.
struct Entries<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let r = &mut *self.reader;
        let mut b = r.peek()?;
        if b == b'}' {
            return Ok(None);
        }
        if !std::mem::take(&mut self.first) {
            if b != b',' {
                return fail("expected ',' or '}'", r.pos);
            }
            r.pos += 1;
            b = r.peek()?;
        }
        if b != b'"' {
            return fail("expected a key", r.pos);
        }
        seed.deserialize(MapKey(r)).map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let r = &mut *self.reader;
        if r.peek()? != b':' {
            return fail("expected ':'", r.pos);
        }
        r.pos += 1;
        seed.deserialize(r)
    }
}

/// An object's key (the reader is at its opening quote). Keys are only ever strings here;
/// anything else (a map keyed by numbers, say) is left to serde_json.
struct MapKey<'a, 'de>(&'a mut Reader<'de>);

impl<'de> Deserializer<'de> for MapKey<'_, 'de> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.0.visit_string(visitor)
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.0.visit_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.0.visit_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.0.visit_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.0.deserialize_ignored_any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _visitor: V,
    ) -> Result<V::Value> {
        fail("keys of this type are read by serde_json", self.0.pos)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf option unit
        unit_struct seq tuple tuple_struct map struct enum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::v1::ObjectMeta;
    use serde_json::Value;

    /// What every input must satisfy: whatever the fast reader reads, serde_json reads to the
    /// same value (it may give up where serde_json reads; never the other way).
    fn agrees<T>(text: &str) -> bool
    where
        T: for<'de> de::Deserialize<'de> + PartialEq + fmt::Debug,
    {
        let fast = from_str::<T>(text);
        let slow = serde_json::from_str::<T>(text);
        match (fast, slow) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "different values for {text:?}");
                true
            }
            (Ok(a), Err(e)) => panic!("fast reader accepts {text:?} as {a:?}; serde_json: {e}"),
            (Err(_), _) => false,
        }
    }

    const VALID: &[&str] = &[
        r#"{"a":1,"b":[true,false,null],"c":"x","d":{}}"#,
        " { \"a\" : [ 1 , 2 ] ,\n\t\"b\" : { \"c\" : null } } \r\n",
        r#""plain""#,
        r#""esc \" \\ \/ \b \f \n \r \t \u00e9 \u20AC \ud83d\ude00 end""#,
        r#""12345678901234567890 long enough for several eight-byte words \" and a quote""#,
        "\"multibyte: é € 😀 ñ\"",
        r#"[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615]"#,
        r#"[1.5,-0.25,1e3,1E-3,2.5e+10,0.1]"#,
        r#"[]"#,
        r#"[[[[[]]]]]"#,
        r#"{"":""}"#,
        r#"{"a":1,"a":2}"#,
    ];

    #[test]
    fn reads_what_serde_json_reads_to_the_same_value() {
        for text in VALID {
            assert!(agrees::<Value>(text), "fast reader gave up on {text:?}");
        }
    }

    #[test]
    fn escapes_at_every_offset_of_a_word_unescape_as_serde_json_does() {
        let escapes = [r#"\""#, r"\\", r"\n", r"\u00e9", r"\ud83d\ude00", r"\/"];
        for run in 0..20 {
            for plain in ["a", "é", "€"] {
                for escape in escapes {
                    let segment = plain.repeat(run) + escape;
                    let text = format!("\"{}{}\"", segment.repeat(3), plain.repeat(run));
                    assert!(agrees::<String>(&text), "fast reader gave up on {text}");
                }
            }
        }
    }

    #[test]
    fn numbers_serde_json_reads_its_own_way_agree() {
        // Past u64, -0, and floats: all through serde_json's number reading.
        for text in [
            "18446744073709551616",
            "-9223372036854775809",
            "-0",
            "-0.0",
            "1e400",
        ] {
            agrees::<Value>(text);
        }
        assert!(agrees::<f64>("0.30000000000000004"));
        assert!(agrees::<i32>("-7"));
        assert!(!agrees::<i32>("1.0"), "a float is no i32");
        assert!(!agrees::<u8>("256"), "out of range");
    }

    const INVALID: &[&str] = &[
        "",
        " ",
        "{",
        "[1,]",
        r#"{"a":1,}"#,
        r#"{"a" 1}"#,
        r#"{a:1}"#,
        "[1 2]",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "tru",
        "nul",
        "\"unterminated",
        "\"control \u{1} char\"",
        "\"tab\tinside\"",
        r#""bad \x escape""#,
        r#""\u12""#,
        r#""\ud800""#,
        r#""\ud800\u0041""#,
        r#""\udc00""#,
        "{} {}",
        "[] x",
        "NaN",
    ];

    #[test]
    fn rejects_what_serde_json_rejects() {
        for text in INVALID {
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text:?}");
            assert!(
                from_str::<Value>(text).is_err(),
                "fast reader accepts {text:?}"
            );
        }
    }

    #[test]
    fn nesting_deeper_than_serde_json_allows_is_an_error_not_a_crash() {
        for depth in [127, 128, 129, 100_000] {
            let text = "[".repeat(depth) + &"]".repeat(depth);
            agrees::<Value>(&text);
            let skipped = format!(r#"{{"ignored":{text}}}"#);
            agrees::<ObjectMeta>(&skipped);
            let raw = format!(
                r#"{{"managedFields":[{{"fieldsV1":{}}}]}}"#,
                "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth)
            );
            agrees::<ObjectMeta>(&raw);
        }
    }

    #[test]
    fn typed_objects_and_raw_field_sets_agree() {
        let text = r#"{"name":"web-1","namespace":"prod","uid":"0b1e","labels":{"app":"web"},
            "annotations":{"note":"a \"quoted\" \u00e9 text"},"generation":3,
            "creationTimestamp":"2026-01-15T10:00:00Z","deletionGracePeriodSeconds":null,
            "unknownField":{"nested":[1,2.5,"x",{"y":null}]},
            "managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1",
              "time":"2026-01-15T10:00:01Z","fieldsType":"FieldsV1",
              "fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"k:{\"x\":1}":{}}}]}"#;
        assert!(agrees::<ObjectMeta>(text), "fast reader gave up");
        let meta: ObjectMeta = from_str(text).unwrap();
        let fields = meta.managed_fields.unwrap()[0].fields_v1.clone().unwrap();
        assert_eq!(
            fields.as_str(),
            r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"k:{\"x\":1}":{}}"#
        );
    }

    /// Every one-byte change of valid documents (replaced by a byte that matters to JSON, or
    /// cut short there): the fast reader never accepts what serde_json rejects, never reads
    /// a different value, and never panics.
    #[test]
    fn mutated_documents_never_disagree() {
        let docs = [
            r#"{"name":"a-b","labels":{"k":"v\"w"},"generation":12,"finalizers":["x","y"],
               "managedFields":[{"fieldsV1":{"f:a":{".":{}}},"time":"2026-01-15T10:00:01Z"}]}"#,
            r#"[1,-2,3.5e1,"s\\t\u00e9",true,null,{"a":[false]}]"#,
        ];
        let swaps = b"\"\\{}[]:,-.e0123456789 tfnu\x01\x7f";
        let mut checked = 0;
        for doc in docs {
            let bytes = doc.as_bytes();
            for i in 0..bytes.len() {
                let cut = String::from_utf8_lossy(&bytes[..i]).into_owned();
                agrees::<Value>(&cut);
                agrees::<ObjectMeta>(&cut);
                for &b in swaps {
                    let mut m = bytes.to_vec();
                    m[i] = b;
                    let Ok(text) = String::from_utf8(m) else {
                        continue;
                    };
                    agrees::<Value>(&text);
                    agrees::<ObjectMeta>(&text);
                    checked += 1;
                }
            }
        }
        assert!(checked > 5_000, "{checked}");
    }
}
