//! The normaliser as it was before the character table (issue 17): the reference that the
//! table-driven [`super::normalize_into`] must match byte for byte, output and [`NormInfo`].

use super::*;

/// `normalize_into` as it was before the character table (issue 17), kept verbatim as the
/// reference the table-driven one must match byte for byte.
///
/// Letters are lower-cased, each maximal run of numeric characters becomes the token `0`
/// (a digit run is always a token of its own, so "10:20pm" gives "0 0 pm"), and anything
/// else separates tokens.
pub(super) fn normalize_into(text: &str, out: &mut String) -> NormInfo {
    out.clear();
    let mut info = NormInfo::default();
    // 0 = at a boundary, WORD = inside a word, DIGITS = inside a digit run
    let mut state = 0u8;
    let bytes = text.as_bytes();
    // SAFETY: only ASCII bytes and whole UTF-8 encodings of chars are pushed, so `out` stays
    // valid UTF-8.
    let o = unsafe { out.as_mut_vec() };
    o.reserve(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Most text is runs of ASCII letters and single spaces: take up to 16 such bytes at
        // once (see `letter_run`), 8 near the end, and the general path below for what comes
        // after them.
        #[cfg(target_arch = "x86_64")]
        if let Some(w) = bytes.get(i..i + 16) {
            let w: &[u8; 16] = w.try_into().expect("16 bytes");
            // SAFETY: SSE2 is part of the x86-64 baseline.
            let (run, lower) = unsafe { sse2::letter_run16(w, state, o.is_empty()) };
            if run.len > 0 {
                if run.pad {
                    o.push(b' ');
                }
                // All 16 bytes go out in one store; the length keeps only the run's.
                o.reserve(16);
                let n = o.len();
                // SAFETY: 16 bytes of spare capacity were reserved; the run is ASCII.
                unsafe {
                    std::ptr::copy_nonoverlapping(lower.as_ptr(), o.as_mut_ptr().add(n), 16);
                    o.set_len(n + run.len);
                }
                info.tokens += run.tokens;
                info.alnum_chars += run.letters;
                state = WORD;
                i += run.len;
                continue;
            }
        }
        // No 16-byte run means no 8-byte run either: only the tail needs the narrow one.
        let tail = !cfg!(target_arch = "x86_64") || i + 16 > bytes.len();
        if let Some(w) = bytes.get(i..i + 8).filter(|_| tail) {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            let run = letter_run(w, state, o.is_empty());
            if run.len > 0 {
                if run.pad {
                    o.push(b' ');
                }
                // Letters lower-case by setting bit 5, which a space already has.
                o.extend_from_slice(&(w | LANES_20).to_le_bytes());
                o.truncate(o.len() - (8 - run.len));
                info.tokens += run.tokens;
                info.alnum_chars += run.letters;
                state = WORD;
                i += run.len;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            match ASCII_CLASS[b as usize] {
                C_DIGIT => {
                    open_digits(o, &mut info, &mut state);
                    info.alnum_chars += 1;
                }
                C_ALPHA => {
                    open_token(o, &mut info, &mut state, WORD);
                    info.alnum_chars += 1;
                    o.push(b.to_ascii_lowercase());
                }
                // An apostrophe inside a word joins it ("don't"), as its typographic forms do.
                C_APOS if state == WORD => {}
                _ => state = 0,
            }
            continue;
        }
        // Two-byte letters of Latin-1 and Latin Extended-A/B (ä, ö, š, ž, é...): a table.
        if b & 0xe0 == 0xc0 && i + 1 < bytes.len() {
            let cp = ((b as u32 & 0x1f) << 6) | (bytes[i + 1] as u32 & 0x3f);
            if (LATIN_LO..LATIN_HI).contains(&cp) {
                let (class, lower) = LATIN.get_or_init(latin_table)[(cp - LATIN_LO) as usize];
                if class == C_ALPHA {
                    i += 2;
                    open_token(o, &mut info, &mut state, WORD);
                    info.alnum_chars += 1;
                    let mut enc = [0u8; 4];
                    o.extend_from_slice(lower.encode_utf8(&mut enc).as_bytes());
                    continue;
                }
            }
        }
        let c = text[i..].chars().next().expect("i is on a char boundary");
        i += c.len_utf8();
        if c.is_numeric() {
            info.alnum_chars += 1;
            open_digits(o, &mut info, &mut state);
        } else if c.is_alphanumeric() {
            info.alnum_chars += 1;
            open_token(o, &mut info, &mut state, WORD);
            let mut enc = [0u8; 4];
            // 'İ' lower-cases to 'i' and a combining dot, which is not a letter: kept, it
            // would split the word when the output is normalised again.
            for l in c.to_lowercase().filter(|l| l.is_alphanumeric()) {
                o.extend_from_slice(l.encode_utf8(&mut enc).as_bytes());
            }
        } else if is_word_joiner(c) && state == WORD {
            continue;
        } else {
            state = 0;
        }
    }
    info
}

const LATIN_LO: u32 = 0x80;
const LATIN_HI: u32 = 0x250;
static LATIN: std::sync::OnceLock<Vec<(u8, char)>> = std::sync::OnceLock::new();

/// For U+0080..U+024F: `C_ALPHA` with the lower-case letter where the char is alphanumeric,
/// not numeric, and lower-cases to exactly one char; `C_OTHER` (take the general path) else.
fn latin_table() -> Vec<(u8, char)> {
    (LATIN_LO..LATIN_HI)
        .map(|cp| {
            let c = char::from_u32(cp).expect("no surrogates below U+0250");
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(lc), None) if c.is_alphanumeric() && !c.is_numeric() => (C_ALPHA, lc),
                _ => (C_OTHER, c),
            }
        })
        .collect()
}
