//! Reading answers: a file or standard input, refused with one clear message when missing, too
//! large, binary, not UTF-8 or empty.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// An answer read from a file or stdin.
#[derive(Debug)]
pub struct Input {
    /// The name to show: the path as given, or `-`.
    pub name: String,
    /// The text.
    pub text: String,
}

/// Why an input was refused.
#[derive(Debug)]
pub struct InputError {
    name: String,
    reason: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.name == "-" {
            "standard input"
        } else {
            &self.name
        };
        write!(f, "{name}: {}", self.reason)
    }
}

impl std::error::Error for InputError {}

fn refuse(name: &str, reason: impl Into<String>) -> InputError {
    InputError {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// Reads one answer, `-` for standard input, refusing more than `max` bytes.
pub fn read(name: &str, max: u64) -> Result<Input, InputError> {
    let mut bytes = Vec::new();
    let limited = if name == "-" {
        std::io::stdin()
            .lock()
            .take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| refuse(name, format!("cannot read: {e}")))?;
        bytes
    } else {
        let path = Path::new(name);
        let meta = std::fs::metadata(path).map_err(|e| refuse(name, io_reason(&e)))?;
        if meta.is_dir() {
            return Err(refuse(name, "is a folder, not an answer file"));
        }
        if meta.len() > max {
            return Err(refuse(name, too_large(meta.len(), max)));
        }
        let f = std::fs::File::open(path).map_err(|e| refuse(name, io_reason(&e)))?;
        f.take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| refuse(name, io_reason(&e)))?;
        bytes
    };
    decode(name, limited, max)
}

/// Checks and decodes raw bytes into an answer.
pub fn decode(name: &str, bytes: Vec<u8>, max: u64) -> Result<Input, InputError> {
    if bytes.len() as u64 > max {
        return Err(refuse(name, too_large(bytes.len() as u64, max)));
    }
    if bytes.contains(&0) {
        return Err(refuse(
            name,
            "looks like a binary file (it holds NUL bytes); give a text file",
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        refuse(
            name,
            format!(
                "is not valid UTF-8 text (bad byte at offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    if text.trim().is_empty() {
        return Err(refuse(name, "is empty: write the answer, then check it"));
    }
    Ok(Input {
        name: name.to_string(),
        text,
    })
}

fn too_large(len: u64, max: u64) -> String {
    format!(
        "is {}, over the {} limit (raise it with --max-size)",
        human_bytes(len),
        human_bytes(max)
    )
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// Sizes for people: 1.0 MiB, 512 KiB, 20 bytes.
pub fn human_bytes(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.0} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

/// Parses a size such as `1048576`, `512K`, `2M`, `1MiB` or `500kb`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (try 1048576, 512K or 2M)"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return Err(format!("{s:?} has an unknown unit (use K, M or G)")),
    };
    n.checked_mul(mult)
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("{s:?} is not a usable size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1048576"), Ok(1048576));
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(parse_size("2MiB"), Ok(2 * 1024 * 1024));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn bad_bytes_are_refused_with_a_reason() {
        assert!(decode("a", vec![b'h', 0, b'i'], 100)
            .unwrap_err()
            .to_string()
            .contains("binary"));
        assert!(decode("a", vec![b'h', 0xff, b'i'], 100)
            .unwrap_err()
            .to_string()
            .contains("offset 1"));
        assert!(decode("-", b"  \n ".to_vec(), 100)
            .unwrap_err()
            .to_string()
            .starts_with("standard input: is empty"));
        assert!(decode("a", vec![b'x'; 11], 10)
            .unwrap_err()
            .to_string()
            .contains("over the 10 bytes limit"));
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(decode("a", "\u{feff}hi".into(), 100).unwrap().text, "hi");
    }
}
