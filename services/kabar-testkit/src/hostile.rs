//! A corpus of malformed and adversarial inputs, generated deterministically: invalid UTF-8,
//! oversized payloads, deeply nested HTML, pathological repetition, huge lines, control and
//! bidirectional-override characters, JSON with wrong types, millions of tiny tokens.
//!
//! Shared by the pipeline's test (every input gives an article or an error, never a panic, and
//! the pipeline's limits cap the work), its benchmark (time per input), the fuzz seeds, and the
//! service's test against a real broker (every input gives an output or a dead letter, and the
//! service keeps running).

/// The payload limit the corpus is built around (kabar's default).
pub const LIMIT: usize = 1024 * 1024;

/// `(name, payload)` pairs; more than a hundred.
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, payload: Vec<u8>| out.push((name.to_owned(), payload));

    // Invalid UTF-8.
    let bad_utf8: [&[u8]; 12] = [
        b"\xff",
        b"\xfe\xff title",
        b"Judul\n\xc3\x28 isi",
        b"\xe2\x82",
        b"\xed\xa0\x80 surrogate",
        b"\xc0\xaf overlong",
        b"\xf8\x88\x80\x80\x80 five bytes",
        b"{\"title\": \"\xff\"}",
        b"{\"text\": \"ok\", \"id\": \"\x80\"}",
        b"<html><body><p>\xfe</p></body></html>",
        b"plain text then \xf4\x90\x80\x80 beyond U+10FFFF",
        b"\x00\xff\x00\xff",
    ];
    for (i, payload) in bad_utf8.iter().enumerate() {
        add(&format!("utf8-{i}"), payload.to_vec());
    }

    // Over the size limit, in each shape.
    add("oversize-text", vec![b'a'; LIMIT + 1]);
    add(
        "oversize-json",
        format!("{{\"text\": \"{}\"}}", "kata ".repeat(LIMIT / 5 + 10)).into_bytes(),
    );
    add(
        "oversize-html",
        format!(
            "<html><body>{}</body></html>",
            "<p>x</p>".repeat(LIMIT / 8 + 10)
        )
        .into_bytes(),
    );

    // Deeply nested markup.
    for depth in [1_000, 10_000, 50_000, 100_000] {
        add(
            &format!("nested-div-{depth}"),
            format!(
                "<html><body>{}story{}</body></html>",
                "<div>".repeat(depth),
                "</div>".repeat(depth)
            )
            .into_bytes(),
        );
    }
    add(
        "nested-unclosed-div",
        format!("<html><body>{}text", "<div>".repeat(100_000)).into_bytes(),
    );
    add(
        "nested-b",
        format!("<html><body>{}bold", "<b>".repeat(100_000)).into_bytes(),
    );
    add(
        "nested-table",
        format!("<html><body>{}", "<table><tr><td>".repeat(30_000)).into_bytes(),
    );
    add(
        "nested-a",
        format!("<html><body>{}x", "<a href=x>".repeat(50_000)).into_bytes(),
    );
    add(
        "nested-p-in-li",
        format!("<html><body>{}", "<ul><li><p>item".repeat(30_000)).into_bytes(),
    );
    add(
        "many-paragraphs",
        format!(
            "<html><body><article>{}</article></body></html>",
            "<p>Kalimat pendek di sini.</p>".repeat(30_000)
        )
        .into_bytes(),
    );
    add(
        "lt-flood",
        format!("<html><body>{}", "<".repeat(500_000)).into_bytes(),
    );
    add(
        "comment-unterminated",
        format!("<html><body><!-- {}", "x".repeat(500_000)).into_bytes(),
    );
    add(
        "script-huge",
        format!(
            "<html><head><script>{}</script></head><body><p>Isi berita singkat.</p></body></html>",
            "var a=1;".repeat(100_000)
        )
        .into_bytes(),
    );
    add(
        "entity-flood",
        format!(
            "<html><body><p>{}</p></body></html>",
            "&amp;&lt;&#x202E;".repeat(50_000)
        )
        .into_bytes(),
    );
    add(
        "attribute-flood",
        format!(
            "<html><body><div {}>x</div></body></html>",
            "a=b ".repeat(100_000)
        )
        .into_bytes(),
    );
    add(
        "class-flood",
        format!(
            "<html><body><div class=\"{}\">x</div></body></html>",
            "nav ".repeat(100_000)
        )
        .into_bytes(),
    );

    // Pathological repetition.
    add("one-char", "a".repeat(900_000).into_bytes());
    add("ha", "ha ".repeat(300_000).into_bytes());
    add(
        "same-line",
        "Presiden Joko Widodo meresmikan jalan tol baru.\n"
            .repeat(18_000)
            .into_bytes(),
    );
    add(
        "baca-juga",
        "Baca juga: berita lain\n".repeat(40_000).into_bytes(),
    );
    add(
        "related-tail",
        "Nasional | 2 hari yang lalu\n".repeat(30_000).into_bytes(),
    );
    add(
        "urls",
        "https://example.com/a/b/c?d=e ".repeat(30_000).into_bytes(),
    );
    add("emails", "nama@example.co.id ".repeat(40_000).into_bytes());
    add("putin", "Putin ".repeat(150_000).into_bytes());
    add("korut-as", "Korut AS PBB ".repeat(70_000).into_bytes());
    add(
        "capitalised",
        (0..150_000)
            .map(|i| format!("Aa{} ", i % 977))
            .collect::<String>()
            .into_bytes(),
    );
    // Many distinct names that share their first word: repeats of names are looked up by first
    // word, which must not cost names x occurrences.
    add(
        "shared-first-word",
        (0..30_000)
            .map(|i| format!("Bank Aa{i} rugi. "))
            .collect::<String>()
            .into_bytes(),
    );
    add(
        "titles",
        "Presiden Menteri Direktur ".repeat(35_000).into_bytes(),
    );
    add(
        "connectors",
        "Abu bin Bakar al ".repeat(50_000).into_bytes(),
    );
    add(
        "hyphens",
        format!("Su{}", "-35".repeat(250_000)).into_bytes(),
    );
    add("apostrophes", "O'".repeat(400_000).into_bytes());
    add("digits", "1234567890".repeat(90_000).into_bytes());
    add("punctuation", ".,;:!?\"()[]".repeat(80_000).into_bytes());
    add("quotes", "“”‘’«»".repeat(50_000).into_bytes());
    add("pipes", "| ".repeat(400_000).into_bytes());
    add("short-lines", "x\n".repeat(400_000).into_bytes());
    add(
        "blank-lines",
        format!("Judul\n{}isi", "\n".repeat(900_000)).into_bytes(),
    );
    add("crlf", "Judul\r\n".repeat(100_000).into_bytes());
    add("cr-only", "Judul\risi berita\r".repeat(50_000).into_bytes());

    // One huge line.
    add(
        "huge-line-words",
        "kata ".repeat(200_000).trim_end().to_owned().into_bytes(),
    );
    add(
        "huge-line-nospace",
        "abcdefghij".repeat(100_000).into_bytes(),
    );
    add(
        "huge-json-line",
        format!("{{\"title\":\"T\",\"text\":\"{}\"}}", "w".repeat(900_000)).into_bytes(),
    );
    add(
        "huge-title",
        format!(
            "{{\"title\":\"{}\",\"text\":\"isi\"}}",
            "Judul ".repeat(150_000)
        )
        .into_bytes(),
    );

    // Control and bidirectional-override characters.
    let controls: [(&str, &str); 14] = [
        (
            "rlo",
            "\u{202E}Judul terbalik\n\u{202E}isi \u{202D}berita\u{202C}",
        ),
        (
            "zero-width",
            "Ju\u{200B}dul\n\u{200B}\u{200C}\u{200D}\u{2060}isi",
        ),
        ("nul", "Judul\u{0}\nisi\u{0}berita"),
        ("bell-escape", "Judul\u{7}\u{1b}[31m\nisi\u{1b}[0m"),
        ("bom-middle", "Judul\n\u{feff}isi\u{feff}berita"),
        (
            "line-separators",
            "Judul\u{2028}isi\u{2029}berita\u{85}lagi",
        ),
        ("isolates", "\u{2066}Judul\u{2069}\n\u{2067}isi\u{2068}"),
        ("tags", "Judul \u{E0001}\u{E0069}\u{E0064}\nisi"),
        ("private-use", "\u{E000}\u{F8FF}\u{F0000}\n\u{10FFFD}"),
        ("noncharacters", "\u{FFFE}\u{FFFF}\n\u{1FFFE}"),
        ("replacement", "\u{FFFD}\u{FFFD}\n\u{FFFD}"),
        ("deleted", "\u{7f}\u{7f}\nisi\u{7f}"),
        ("c1", "Judul\u{80}\u{9f}\nisi"),
        ("variation", "A\u{FE0F}\u{FE0E}\n\u{1F1EE}\u{1F1E9}"),
    ];
    for (name, text) in controls {
        add(&format!("control-{name}"), text.as_bytes().to_vec());
    }
    add(
        "zalgo",
        format!("Z{}\nisi", "\u{0301}".repeat(100_000)).into_bytes(),
    );
    add(
        "combining-flood",
        "e\u{0301}\u{0302}\u{0303}".repeat(60_000).into_bytes(),
    );
    add("rlo-flood", "\u{202E}".repeat(200_000).into_bytes());
    add("emoji", "😀🇮🇩👨‍👩‍👧‍👦 ".repeat(40_000).into_bytes());
    add("cjk", "新闻报道".repeat(80_000).into_bytes());
    add(
        "arabic-mixed",
        "أخبار news أخبار 123 ".repeat(30_000).into_bytes(),
    );
    add(
        "json-escaped-controls",
        br#"{"title":"\u0000\u202e\ud83d\ude00","text":"isi \u0007 berita \u2028"}"#.to_vec(),
    );
    add(
        "json-lone-surrogate",
        br#"{"title":"\ud800","text":"isi"}"#.to_vec(),
    );

    // JSON with wrong types and odd shapes.
    let json_cases: [(&str, &str); 24] = [
        ("title-number", r#"{"title": 42, "text": "isi"}"#),
        ("text-array", r#"{"text": ["a", "b"]}"#),
        ("text-object", r#"{"text": {"a": 1}}"#),
        ("id-number", r#"{"id": 7, "text": "isi"}"#),
        ("html-bool", r#"{"html": true}"#),
        (
            "null-fields",
            r#"{"id": null, "title": null, "text": "isi", "html": null}"#,
        ),
        ("all-null", r#"{"id": null, "title": null, "text": null}"#),
        ("empty-object", r#"{}"#),
        ("top-array", r#"[{"text": "isi"}]"#),
        ("top-string", r#""just a string""#),
        ("top-number", r#"12345"#),
        ("duplicate-keys", r#"{"text": "a", "text": "b"}"#),
        ("trailing-garbage", r#"{"text": "isi"} trailing"#),
        ("two-objects", r#"{"text": "a"}{"text": "b"}"#),
        ("huge-number", r#"{"id": 1e999999, "text": "isi"}"#),
        ("nan", r#"{"text": NaN}"#),
        ("single-quotes", r#"{'text': 'isi'}"#),
        ("unterminated-string", r#"{"text": "isi"#),
        ("bad-escape", r#"{"text": "\q"}"#),
        ("comment", r#"{"text": "isi" /* c */}"#),
        (
            "publishedat-object",
            r#"{"text": "isi", "publishedAt": {"t": 1}}"#,
        ),
        ("whitespace-text", r#"{"text": "   \n\t  "}"#),
        ("unknown-fields-only", r#"{"foo": "bar", "baz": [1,2,3]}"#),
        (
            "brace-then-text",
            "{ this is not json but starts with a brace",
        ),
    ];
    for (name, json) in json_cases {
        add(&format!("json-{name}"), json.as_bytes().to_vec());
    }
    add(
        "json-deep-array",
        format!(
            "{{\"text\": {}1{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        )
        .into_bytes(),
    );
    add(
        "json-deep-object",
        format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)).into_bytes(),
    );
    add(
        "json-many-keys",
        format!(
            "{{{}\"text\":\"isi\"}}",
            (0..40_000)
                .map(|i| format!("\"k{i}\":{i},"))
                .collect::<String>()
        )
        .into_bytes(),
    );
    add(
        "json-long-key",
        format!("{{\"{}\": 1, \"text\": \"isi\"}}", "k".repeat(500_000)).into_bytes(),
    );

    // Millions of tiny tokens.
    add("tiny-tokens-space", "a ".repeat(500_000).into_bytes());
    add("tiny-tokens-dot", "x.".repeat(500_000).into_bytes());
    add("tiny-tokens-newline", "a\n".repeat(500_000).into_bytes());
    add("tiny-tokens-caps", "A ".repeat(500_000).into_bytes());
    add(
        "tiny-tokens-html",
        format!("<html><body><p>{}</p></body></html>", "a ".repeat(400_000)).into_bytes(),
    );

    // Empty and near-empty.
    add("empty", Vec::new());
    add("spaces", b"     ".to_vec());
    add("newlines", b"\n\n\n".to_vec());
    add("bom-only", "\u{feff}".as_bytes().to_vec());
    add("one-letter", b"a".to_vec());
    out
}
