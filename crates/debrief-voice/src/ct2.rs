//! A reader for CTranslate2's `model.bin`: a spec name and a list of named arrays.
//!
//! The layout (little-endian), as CTranslate2's `models/model.cc` reads it for binary versions
//! 2 to 6: `u32` version; the spec name (a `u16` length, then that many bytes ending in NUL);
//! `u32` spec revision; `u32` count of variables, each `{ name, u8 rank, u32 dims[rank], u8 dtype,
//! u32 byte count, bytes }` (before version 4 the dtype byte is the element size); then, from
//! version 3, `u32` count of aliases, each `{ name, target name }`. Strings count their NUL.

use std::collections::HashMap;

/// The element type of an array, with CTranslate2's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// 0
    F32,
    /// 1
    I8,
    /// 2
    I16,
    /// 3
    I32,
    /// 4
    F16,
    /// 5
    BF16,
}

impl DType {
    fn from_code(code: u8) -> Option<DType> {
        Some(match code {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }
}

/// One named array, its bytes borrowed from the file.
#[derive(Debug, Clone)]
pub struct Array<'a> {
    /// Dimensions; empty for a scalar.
    pub shape: Vec<usize>,
    /// Element type.
    pub dtype: DType,
    /// Raw little-endian elements.
    pub bytes: &'a [u8],
}

impl Array<'_> {
    /// A scalar integer (flags and head counts are stored this way).
    pub fn scalar_int(&self) -> Option<i64> {
        if !self.shape.is_empty() {
            return None;
        }
        let b = self.bytes;
        Some(match self.dtype {
            DType::I8 => b[0] as i8 as i64,
            DType::I16 => i16::from_le_bytes([b[0], b[1]]) as i64,
            DType::I32 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
            _ => return None,
        })
    }

    /// The elements as f32, whatever float type they are stored in.
    pub fn to_f32(&self) -> Option<Vec<f32>> {
        let b = self.bytes;
        Some(match self.dtype {
            DType::F32 => b
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            DType::F16 => b
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            DType::BF16 => b
                .chunks_exact(2)
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            _ => return None,
        })
    }
}

/// A parsed `model.bin`.
#[derive(Debug)]
pub struct ModelFile<'a> {
    /// The spec's name, such as `WhisperSpec`.
    pub spec: String,
    /// The binary format's version.
    pub version: u32,
    /// Arrays by name; aliases resolved to their targets' arrays.
    pub arrays: HashMap<String, Array<'a>>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("model.bin ends early at byte {}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> Result<String, String> {
        let n = self.u16()? as usize;
        let b = self.take(n)?;
        let b = b.strip_suffix(&[0]).unwrap_or(b);
        String::from_utf8(b.to_vec()).map_err(|_| "a name in model.bin is not UTF-8".to_string())
    }
}

/// Parses `bytes` as a CTranslate2 model; the error says what is wrong with the file.
pub fn parse(bytes: &[u8]) -> Result<ModelFile<'_>, String> {
    let mut c = Cursor { bytes, at: 0 };
    let version = c.u32()?;
    if !(2..=6).contains(&version) {
        return Err(format!(
            "model.bin is not a CTranslate2 model (format version {version}, expected 2 to 6)"
        ));
    }
    let spec = c.string()?;
    let _revision = c.u32()?;
    let count = c.u32()? as usize;
    if count > 100_000 {
        return Err(format!("model.bin claims {count} arrays"));
    }
    let mut arrays = HashMap::with_capacity(count);
    for _ in 0..count {
        let name = c.string()?;
        let rank = c.u8()? as usize;
        let shape = (0..rank)
            .map(|_| c.u32().map(|d| d as usize))
            .collect::<Result<Vec<_>, _>>()?;
        let dtype = if version >= 4 {
            let code = c.u8()?;
            DType::from_code(code).ok_or_else(|| format!("{name}: unknown element type {code}"))?
        } else {
            // Versions 2 and 3 store the element size and only float32 or int8/int16 weights.
            match c.u8()? {
                4 => DType::F32,
                2 => DType::I16,
                _ => DType::I8,
            }
        };
        let byte_count = c.u32()? as usize;
        let elements: usize = shape.iter().product();
        if byte_count != elements * dtype.size() {
            return Err(format!(
                "{name}: {byte_count} bytes for {elements} elements of {} bytes",
                dtype.size()
            ));
        }
        let data = c.take(byte_count)?;
        arrays.insert(
            name,
            Array {
                shape,
                dtype,
                bytes: data,
            },
        );
    }
    if version >= 3 && c.at < bytes.len() {
        let aliases = c.u32()?;
        for _ in 0..aliases {
            let alias = c.string()?;
            let target = c.string()?;
            if let Some(array) = arrays.get(&target).cloned() {
                arrays.insert(alias, array);
            }
        }
    }
    Ok(ModelFile {
        spec,
        version,
        arrays,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    #[test]
    fn reads_named_arrays_scalars_and_aliases() {
        let mut f = Vec::new();
        f.extend_from_slice(&6u32.to_le_bytes());
        string(&mut f, "WhisperSpec");
        f.extend_from_slice(&3u32.to_le_bytes());
        f.extend_from_slice(&2u32.to_le_bytes());
        string(&mut f, "a/weight");
        f.push(2);
        f.extend_from_slice(&1u32.to_le_bytes());
        f.extend_from_slice(&2u32.to_le_bytes());
        f.push(4);
        f.extend_from_slice(&4u32.to_le_bytes());
        f.extend_from_slice(&half::f16::from_f32(1.5).to_le_bytes());
        f.extend_from_slice(&half::f16::from_f32(-2.0).to_le_bytes());
        string(&mut f, "heads");
        f.push(0);
        f.push(2);
        f.extend_from_slice(&2u32.to_le_bytes());
        f.extend_from_slice(&6i16.to_le_bytes());
        f.extend_from_slice(&1u32.to_le_bytes());
        string(&mut f, "b/weight");
        string(&mut f, "a/weight");

        let model = parse(&f).unwrap();
        assert_eq!(model.spec, "WhisperSpec");
        assert_eq!(model.arrays["a/weight"].shape, vec![1, 2]);
        assert_eq!(model.arrays["b/weight"].to_f32().unwrap(), vec![1.5, -2.0]);
        assert_eq!(model.arrays["heads"].scalar_int(), Some(6));
    }

    #[test]
    fn a_file_cut_short_says_so() {
        let mut f = Vec::new();
        f.extend_from_slice(&6u32.to_le_bytes());
        string(&mut f, "WhisperSpec");
        f.extend_from_slice(&3u32.to_le_bytes());
        f.extend_from_slice(&1u32.to_le_bytes());
        string(&mut f, "a");
        let err = parse(&f).unwrap_err();
        assert!(err.contains("ends early"), "{err}");
    }

    #[test]
    fn text_is_not_a_model() {
        let err = parse(b"hello, this is not a model at all").unwrap_err();
        assert!(err.contains("not a CTranslate2 model"), "{err}");
    }
}
