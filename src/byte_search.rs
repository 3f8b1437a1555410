//! Finding a byte in the short texts a request holds (paths, queries,
//! include lists) eight bytes at a time: shared by the resolver's input
//! parser and the request extractors.

/// Where the first `needle` is, eight bytes at a time: paths, queries, include
/// lists and the strings of a request body are too short for `memchr`'s
/// vectors to pay, and a byte loop costs a branch each.
pub fn find_byte(bytes: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(needle);
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ pattern;
        // A byte of `word` is zero where `needle` was; the lowest such byte is
        // the lowest set high bit (those above it may be false).
        let zeros = word.wrapping_sub(ONES) & !word & HIGHS;
        if zeros != 0 {
            return Some(at + (zeros.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = words.remainder();
    rest.iter()
        .position(|&b| b == needle)
        .map(|found| at + found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_byte_finds_the_first_needle_as_a_byte_search_does() {
        // Every length to past two words, the needle at each place or none,
        // among bytes that differ from it by one bit, zero, and non-ASCII.
        for needle in [b'/', b'?', b'&', b'=', b',', b'%', b'"'] {
            for fill in [
                b'a',
                b'.',
                b'0',
                0x00,
                0xaf,
                0xff,
                needle ^ 1,
                needle ^ 0x10,
                needle + 1,
            ] {
                for len in 0..20 {
                    let mut bytes = vec![fill; len];
                    assert_eq!(find_byte(&bytes, needle), None, "{fill:#x} {len}");
                    for at in 0..len {
                        bytes[at] = needle;
                        for later in at..len {
                            let mut twice = bytes.clone();
                            twice[later] = needle;
                            assert_eq!(find_byte(&twice, needle), Some(at), "{twice:?}");
                        }
                        bytes[at] = fill;
                    }
                }
            }
        }
    }
}
