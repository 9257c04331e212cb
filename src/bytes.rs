//! Byte-scanning kernels shared by the stages: the next line end, word boundary or escape
//! (inline SSE2, part of the x86-64 baseline, with a plain loop elsewhere), the next control
//! byte of a JSON string. They are tested against the obvious iterator expressions.

/// The position of the first `needle` in `hay`. Inline SSE2, 16 bytes a step: lines, words
/// and escapes are a few dozen bytes apart, where a call to `memchr` costs more than the scan.
#[inline]
pub(crate) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        while let Some(w) = hay.get(i..i + 16) {
            // SAFETY: SSE2 is part of the x86-64 baseline; the load is unaligned and in bounds.
            let m = unsafe {
                let v = _mm_loadu_si128(w.as_ptr().cast());
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(needle as i8))) as u32
            };
            if m != 0 {
                return Some(i + m.trailing_zeros() as usize);
            }
            i += 16;
        }
    }
    hay[i..].iter().position(|&c| c == needle).map(|p| i + p)
}

/// Position of the first byte below 0x20, testing 32 bytes at a time (a branch-free fold the
/// compiler vectorises) before looking for it byte by byte.
pub(crate) fn first_control(b: &[u8]) -> Option<usize> {
    let mut at = 0;
    for c in b.chunks(32) {
        if c.iter().fold(false, |any, &x| any | (x < 0x20)) {
            return c.iter().position(|&x| x < 0x20).map(|i| at + i);
        }
        at += c.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn find_byte_finds_what_position_finds(s in proptest::collection::vec(0u8..4, 0..70), n in 0u8..4) {
            proptest::prop_assert_eq!(find_byte(&s, n), s.iter().position(|&c| c == n));
        }

        #[test]
        fn first_control_finds_what_position_finds(s in proptest::collection::vec(0x1eu8..0x22, 0..100)) {
            proptest::prop_assert_eq!(first_control(&s), s.iter().position(|&c| c < 0x20));
        }
    }
}
