//! The iden3 binary container of `.r1cs`, `.wtns`, `.ptau` and `.zkey` files: a 4-byte magic,
//! a `u32` version, a `u32` section count, then each section as `u32` id, `u64` byte size and
//! its bytes (all little-endian).
use crate::CeremonyError;

/// A container being written (sections in the order they are added).
#[derive(Debug)]
pub struct Writer {
    out: Vec<u8>,
    sections: u32,
    open: Option<usize>,
}

impl Writer {
    /// A container of type `magic` and `version`.
    pub fn new(magic: &[u8; 4], version: u32) -> Self {
        let mut out = Vec::new();
        out.extend_from_slice(magic);
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        Writer {
            out,
            sections: 0,
            open: None,
        }
    }

    /// Starts section `id` (closing the open one).
    pub fn section(&mut self, id: u32) -> &mut Vec<u8> {
        self.close();
        self.out.extend_from_slice(&id.to_le_bytes());
        self.open = Some(self.out.len());
        self.out.extend_from_slice(&0u64.to_le_bytes());
        self.sections += 1;
        &mut self.out
    }

    /// The bytes of the open section so far.
    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    fn close(&mut self) {
        if let Some(at) = self.open.take() {
            let size = (self.out.len() - at - 8) as u64;
            self.out[at..at + 8].copy_from_slice(&size.to_le_bytes());
        }
    }

    /// The whole file.
    pub fn finish(mut self) -> Vec<u8> {
        self.close();
        let n = self.sections;
        self.out[8..12].copy_from_slice(&n.to_le_bytes());
        self.out
    }
}

/// A parsed container: its sections, by id, as byte ranges of the file.
#[derive(Debug)]
pub struct File<'a> {
    /// The version.
    pub version: u32,
    sections: Vec<(u32, &'a [u8])>,
    what: &'static str,
}

impl<'a> File<'a> {
    /// Parses `bytes` as a container of type `magic` (`what` names it in errors).
    pub fn parse(
        bytes: &'a [u8],
        magic: &[u8; 4],
        what: &'static str,
    ) -> Result<Self, CeremonyError> {
        let bad = |m: &str| CeremonyError::Format(format!("{what}: {m}"));
        if bytes.len() < 12 || &bytes[..4] != magic {
            return Err(bad("not this kind of file (magic)"));
        }
        let version = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
        let n = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        let mut at = 12usize;
        let mut sections = Vec::new();
        for _ in 0..n {
            let head = bytes
                .get(at..at + 12)
                .ok_or_else(|| bad("truncated section table"))?;
            let id = u32::from_le_bytes(head[..4].try_into().expect("4 bytes"));
            let size = u64::from_le_bytes(head[4..].try_into().expect("8 bytes"));
            let size = usize::try_from(size).map_err(|_| bad("section too large"))?;
            let start = at + 12;
            let body = start
                .checked_add(size)
                .and_then(|end| bytes.get(start..end))
                .ok_or_else(|| bad("truncated section"))?;
            sections.push((id, body));
            at = start + size;
        }
        if at != bytes.len() {
            return Err(bad("bytes after the last section"));
        }
        Ok(File {
            version,
            sections,
            what,
        })
    }

    /// Section `id` (exactly one must exist).
    pub fn section(&self, id: u32) -> Result<Reader<'a>, CeremonyError> {
        let mut found = self.sections.iter().filter(|(i, _)| *i == id);
        match (found.next(), found.next()) {
            (Some((_, body)), None) => Ok(Reader {
                bytes: body,
                at: 0,
                what: self.what,
                section: id,
            }),
            (None, _) => Err(CeremonyError::Format(format!(
                "{}: section {id} missing",
                self.what
            ))),
            _ => Err(CeremonyError::Format(format!(
                "{}: section {id} repeated",
                self.what
            ))),
        }
    }

    /// Whether section `id` exists.
    pub fn has(&self, id: u32) -> bool {
        self.sections.iter().any(|(i, _)| *i == id)
    }
}

/// Reads a section's values in order.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    what: &'static str,
    section: u32,
}

impl<'a> Reader<'a> {
    /// A reader over `bytes` (a slice of a section).
    pub fn over(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            at: 0,
            what: "value",
            section: 0,
        }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CeremonyError> {
        let out = self
            .at
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.at..end))
            .ok_or_else(|| {
                CeremonyError::Format(format!(
                    "{}: section {} is too short",
                    self.what, self.section
                ))
            })?;
        self.at += n;
        Ok(out)
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, CeremonyError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    /// A little-endian `u64`.
    pub fn u64(&mut self) -> Result<u64, CeremonyError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// Fails unless the whole section was read.
    pub fn end(&self) -> Result<(), CeremonyError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(CeremonyError::Format(format!(
                "{}: section {} has {} unexpected trailing bytes",
                self.what,
                self.section,
                self.remaining()
            )))
        }
    }
}
