//! The normaliser's tests: examples, and the table-driven normaliser against the earlier one
//! ([`super::reference`]) and the plain char-by-char one, on arbitrary Unicode and on every
//! char.

use super::*;
use proptest::prelude::*;

#[test]
fn digits_fold_so_relative_times_match() {
    assert_eq!(normalize("40 minutes ago"), "0 minutes ago");
    assert_eq!(block_hash("40 minutes ago"), block_hash("42 minutes ago"));
    assert_eq!(normalize("10:20pm"), "0 0 pm");
    assert_eq!(normalize("Route 66b"), "route 0 b");
}

#[test]
fn case_whitespace_and_punctuation_fold() {
    assert_eq!(normalize("  Related   Articles!! "), "related articles");
    assert_eq!(normalize("No comments yet..."), "no comments yet");
    assert_eq!(block_hash("Share | Email"), block_hash("share email"));
    assert_eq!(normalize("ÉCOLE Straße"), "école straße");
    assert_eq!(normalize("don’t don't"), "dont dont");
}

#[test]
fn dotted_capital_i_normalises_once_and_for_all() {
    // 'İ' lower-cases to "i\u{307}"; the combining dot must not survive to split "i̇stanbul"
    // when normalised text is normalised again.
    assert_eq!(normalize("İSTANBUL İzmir"), "istanbul izmir");
    assert_eq!(normalize(&normalize("İSTANBUL")), normalize("İSTANBUL"));
}

#[test]
fn non_latin_scripts_keep_their_letters() {
    assert_eq!(normalize("Привет, мир"), "привет мир");
    assert_eq!(normalize("東京 ２０２４年"), "東京 0 年");
    assert_eq!(normalize("٣ دقائق"), "0 دقائق");
}

/// The straightforward char-by-char normaliser that `normalize_into` must match.
fn reference_normalize(text: &str) -> String {
    let mut out = String::new();
    let mut state = 0u8;
    for c in text.chars() {
        if c.is_numeric() {
            if state != 2 {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push('0');
                state = 2;
            }
        } else if c.is_alphanumeric() {
            if state != 1 && !out.is_empty() {
                out.push(' ');
            }
            state = 1;
            out.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
        } else if matches!(c, '\'' | '\u{2019}' | '\u{02bc}') && state == 1 {
        } else {
            state = 0;
        }
    }
    out
}

/// Checks `normalize` against the reference, and the token and letter counts of
/// `normalize_into` against its output; returns both.
fn matches_the_reference_with_counts(s: &str) -> Result<(String, NormInfo), TestCaseError> {
    prop_assert_eq!(normalize(s), reference_normalize(s));
    let mut out = String::new();
    let info = normalize_into(s, &mut out);
    let n = if out.is_empty() {
        0
    } else {
        out.split(' ').count() as u32
    };
    prop_assert_eq!(info.tokens, n);
    let alnum = s.chars().filter(|c| c.is_alphanumeric()).count() as u32;
    prop_assert_eq!(info.alnum_chars, alnum);
    same_without_ssse3(s, &out, info)?;
    Ok((out, info))
}

/// Checks that the normaliser without SSSE3 gives `out` and `info` for `s`, as the one
/// that `normalize_into` picked on this CPU did.
fn same_without_ssse3(s: &str, out: &str, info: NormInfo) -> Result<(), TestCaseError> {
    let mut by_runs = String::from("stale output");
    let runs_info = normalize_by_runs(s, &mut by_runs);
    prop_assert_eq!(by_runs.as_str(), out, "input {:?}", s);
    prop_assert_eq!(runs_info, info, "input {:?}", s);
    Ok(())
}

proptest! {
    // Runs of 16 and more letters and single spaces, cut at every offset by what ends a
    // run, so the 16-byte path meets each of its cases at each lane.
    #[test]
    fn normalize_wide_runs_match_the_reference(
        s in r"([a-zA-Z]{1,20}( [a-zA-Z]{1,9}){0,4}|[ ,.'’0-9äÄ\x00-\x1f\x7f@\[`{]{1,2}){0,10}"
    ) {
        matches_the_reference_with_counts(&s)?;
    }

    #[test]
    fn normalize_matches_the_reference(s in "(\\PC|[a-z0-9 '’.äöšžŽÖÄ©\u{80}-\u{250}]){0,80}") {
        prop_assert_eq!(normalize(&s), reference_normalize(&s));
    }

    // Mostly ASCII letters and spaces, with the bytes that end a fast-path run (digits,
    // punctuation, double spaces, apostrophes, non-ASCII) mixed in at every offset.
    #[test]
    fn normalize_fast_path_matches_the_reference(
        s in r"([a-zA-Z ]{0,12}|[ ,.'’0-9äÄ\t@\[`{]{0,3}){0,12}"
    ) {
        let (out, info) = matches_the_reference_with_counts(&s)?;
        let digit_tokens = out.split(' ').filter(|t| *t == "0").count() as u32;
        prop_assert_eq!(info.digit_tokens, digit_tokens);
    }

    // Windows of every kind: words, punctuation, digit runs against letters, runs of
    // apostrophes, doubled spaces, Latin-1 letters and signs, general punctuation, at every
    // offset of the 16-byte windows and their tails.
    #[test]
    fn normalize_windows_match_the_reference(
        s in r"([a-zA-Z]{1,7}|[0-9]{1,4}|[ ,.;:!?()\-\t]{1,3}|['’]{1,3}|[éÀÖÞßÿ×÷ª—“”…‘\u{2000}-\u{2040}]{1,2}){0,30}"
    ) {
        matches_the_reference_with_counts(&s)?;
        matches_the_earlier(&s)?;
    }

    // Words of two-byte scripts (lower- and upper-case, letters of both lead bytes of a
    // pair and of neighbouring pairs, signs such as « and ʼ that share their lead bytes)
    // against ASCII words, digits, apostrophes and punctuation, at every offset of the
    // windows that take them whole.
    #[test]
    fn normalize_two_byte_windows_match_the_reference(
        s in r"([а-яёђ]{1,8}|[А-ЯЁЂ]{1,2}|[ѐ-ӿ]{1,4}|[\u{300}-\u{36f}ƀ-ɏ]{1,2}|[α-ωάέΑ-Ω]{1,8}|[ا-ي]{1,8}|[à-ÿÀ-Þ]{1,3}|[ĀāŁłŒœ]{1,2}|[«»©\u{a0}ʼ’ʹˈ]{1,2}|[a-zA-Z]{1,5}|[0-9]{1,3}|[ ,.'\-]{1,2}){0,30}"
    ) {
        matches_the_reference_with_counts(&s)?;
        matches_the_earlier(&s)?;
    }

    #[test]
    fn normalize_is_idempotent(s in "\\PC{0,80}") {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once.clone());
    }

    #[test]
    fn normalized_has_no_stray_spaces(s in "\\PC{0,80}") {
        let n = normalize(&s);
        prop_assert!(!n.starts_with(' ') && !n.ends_with(' ') && !n.contains("  "));
    }

    #[test]
    fn token_count_matches_output(s in "\\PC{0,80}") {
        let mut out = String::new();
        let info = normalize_into(&s, &mut out);
        let n = if out.is_empty() { 0 } else { out.split(' ').count() as u32 };
        prop_assert_eq!(info.tokens, n);
    }

    #[test]
    fn digits_never_change_the_hash(a in "[a-z ]{0,20}", d1 in 0u32..100000, d2 in 0u32..100000) {
        prop_assert_eq!(block_hash(&format!("{a} {d1} x")), block_hash(&format!("{a} {d2} x")));
    }
}

/// Checks the normaliser against the earlier one ([`reference::normalize_into`]): the same
/// bytes and the same [`NormInfo`], into a buffer that held something before.
fn matches_the_earlier(s: &str) -> Result<(), TestCaseError> {
    let mut want = String::from("stale");
    let want_info = reference::normalize_into(s, &mut want);
    let mut got = String::from("stale output");
    let got_info = normalize_into(s, &mut got);
    prop_assert_eq!(&got, &want, "input {:?}", s);
    prop_assert_eq!(got_info, want_info, "input {:?}", s);
    same_without_ssse3(s, &got, got_info)
}

/// Text weighted towards what real crawls carry beyond ASCII: runs of chars of one script or
/// range at a time, between ASCII words, spaces, digits and apostrophes.
fn real_text() -> impl Strategy<Value = String> {
    use proptest::char::range;
    let run = |lo: char, hi: char| proptest::collection::vec(range(lo, hi), 1..8);
    let piece = prop_oneof![
        4 => "[a-zA-Z]{1,12}".prop_map(|s| s.chars().collect::<Vec<_>>()),
        4 => " {1,2}".prop_map(|s| s.chars().collect()),
        2 => "[ ,.:;'0-9()-]{1,3}".prop_map(|s| s.chars().collect()),
        3 => run('\u{2000}', '\u{206f}'),          // typographic punctuation
        3 => run('\u{c0}', '\u{24f}'),             // Latin-1 and Latin Extended-A/B
        2 => run('\u{1e00}', '\u{1eff}'),          // Latin Extended Additional
        2 => run('\u{370}', '\u{3ff}'),            // Greek
        3 => run('\u{400}', '\u{52f}'),            // Cyrillic
        2 => run('\u{530}', '\u{58f}'),            // Armenian
        2 => run('\u{590}', '\u{6ff}'),            // Hebrew, Arabic
        2 => run('\u{900}', '\u{e7f}'),            // Indic scripts, Thai
        3 => run('\u{3000}', '\u{9fff}'),          // CJK punctuation, kana, ideographs
        2 => run('\u{ac00}', '\u{d7a3}'),          // Hangul
        2 => run('\u{ff00}', '\u{ffef}'),          // fullwidth and halfwidth forms
        1 => run('\u{300}', '\u{36f}'),            // combining marks
        1 => run('\u{1d400}', '\u{1d7ff}'),        // mathematical alphanumerics
        1 => run('\u{1f100}', '\u{1faff}'),        // enclosed alphanumerics, emoji
        1 => run('\u{20000}', '\u{2a6df}'),        // CJK Extension B (beyond the table)
        3 => proptest::collection::vec(
            proptest::sample::select(vec![
                'İ', 'I', 'ı', 'ẞ', 'ß', 'ŉ', 'ǅ', 'K', 'Ω', 'Å', '\u{345}', 'ΐ', 'ﬁ', '½', '²',
                '٣', '३', 'Ⅻ', 'ⅻ', '〇', '①', '’', 'ʼ', '\'', '‘', '–', '—', '…', '\u{a0}',
                '\u{200b}', '\u{2060}', '\u{feff}', '𝟘', '🄁', '🅰',
            ]),
            1..6
        ),
        2 => proptest::collection::vec(any::<char>(), 1..4),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.into_iter().flatten().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn the_table_matches_the_earlier_normaliser_on_any_string(s in any::<String>()) {
        matches_the_earlier(&s)?;
    }

    #[test]
    fn the_table_matches_the_earlier_normaliser_on_real_text(s in real_text()) {
        matches_the_earlier(&s)?;
        prop_assert_eq!(normalize(&s), reference_normalize(&s));
    }

    #[test]
    fn the_table_matches_the_earlier_normaliser_on_mixed_scripts(
        s in "(\\PC|[a-zA-Z0-9 '’.,\u{2000}-\u{206f}\u{c0}-\u{24f}\u{400}-\u{4ff}\u{4e00}-\u{4e40}]){0,120}"
    ) {
        matches_the_earlier(&s)?;
    }
}

/// Every char, alone and in the contexts that change what it does (after a letter, after a
/// digit, after a word-joining apostrophe, twice, and after a 16-byte run of ASCII letters),
/// against the earlier normaliser.
#[test]
fn every_char_matches_the_earlier_normaliser() {
    let contexts = [
        ("", ""),
        ("a", "b"),
        ("Я", "ж"),
        ("1", "2"),
        ("a’", "’"),
        ("é", "é"),
        ("abcdefghijklmnop qrstuvwxyz ", " abcdefghijklmnopq"),
    ];
    let (mut s, mut want, mut got) = (String::new(), String::new(), String::new());
    for c in (0..=0x10ffff).filter_map(char::from_u32) {
        for (before, after) in contexts {
            for twice in [false, true] {
                s.clear();
                s.push_str(before);
                s.push(c);
                if twice {
                    s.push(c);
                }
                s.push_str(after);
                let want_info = reference::normalize_into(&s, &mut want);
                let got_info = normalize_into(&s, &mut got);
                assert_eq!((&got, got_info), (&want, want_info), "input {s:?}");
            }
        }
    }
}

/// The table's entries against the classification they stand for, for every char it covers.
#[test]
fn the_table_holds_each_chars_class_and_lower_case() {
    for cp in 0..0x110000u32 {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let e = chars::entry(cp);
        // Planes 0-3 are in the table; the rest take the general path.
        let want = if cp < 0x40000 {
            chars::entry_of(c)
        } else {
            chars::C_GENERAL
        };
        assert_eq!(e, want, "U+{cp:04X}");
        if chars::class(e) == chars::C_ALPHA {
            let mut l = c.to_lowercase();
            assert_eq!(char::from_u32(chars::lower(cp, e)), l.next(), "U+{cp:04X}");
        }
    }
    let mut buf = [0u8; 4];
    for c in (0x80..=0x10ffff).filter_map(char::from_u32) {
        let enc = c.encode_utf8(&mut buf);
        assert_eq!(chars::decode(enc.as_bytes(), 0), (c as u32, enc.len()));
    }
}

/// Spaces between words beyond ASCII end tokens inside the non-ASCII path, as the ASCII path
/// would: after a letter that lower-cases, after one that does not, after a joiner, doubled.
#[test]
fn spaces_between_words_beyond_ascii_match_the_reference() {
    for s in [
        "Дом и МИР, дом  мир",
        "дом’ мир ’ дом",
        "東京 大阪 名古屋",
        "Ελλάδα ΑΘΗΝΑ 2024 αθήνα",
        "ÉCOLE école  Ève",
        "дом 12 мир",
        "  мир ",
    ] {
        assert_eq!(normalize(s), reference_normalize(s), "{s:?}");
        matches_the_earlier(s).unwrap();
    }
}
