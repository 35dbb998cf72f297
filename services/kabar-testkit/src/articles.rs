//! A small deterministic corpus of mixed articles for the service's tests: several languages,
//! plain text, JSON and HTML, from a headline to a few paragraphs.

const SENTENCES: &[(&str, &[&str])] = &[
    (
        "ind",
        &[
            "Pemerintah berencana menaikkan anggaran pendidikan tahun depan.",
            "Warga di beberapa kecamatan mengeluhkan harga kebutuhan pokok yang terus naik.",
            "Polisi masih menyelidiki penyebab kebakaran yang terjadi pada Selasa malam.",
            "Menurut para ahli, cuaca ekstrem akan berlangsung hingga akhir bulan ini.",
        ],
    ),
    (
        "eng",
        &[
            "The government plans to raise the education budget next year.",
            "Residents in several districts complained about the rising cost of food.",
            "Police are still investigating the cause of the fire on Tuesday night.",
            "Experts say the extreme weather will last until the end of the month.",
        ],
    ),
    (
        "deu",
        &[
            "Die Regierung will den Bildungshaushalt im nächsten Jahr erhöhen.",
            "Anwohner in mehreren Bezirken beklagten sich über steigende Lebensmittelpreise.",
            "Die Polizei ermittelt weiterhin zur Ursache des Brandes am Dienstagabend.",
            "Nach Ansicht von Experten hält das extreme Wetter bis Ende des Monats an.",
        ],
    ),
    (
        "fra",
        &[
            "Le gouvernement prévoit d'augmenter le budget de l'éducation l'année prochaine.",
            "Les habitants de plusieurs quartiers se plaignent de la hausse des prix alimentaires.",
            "La police enquête toujours sur la cause de l'incendie de mardi soir.",
            "Selon les experts, les conditions météorologiques extrêmes dureront jusqu'à la fin du mois.",
        ],
    ),
    (
        "spa",
        &[
            "El gobierno prevé aumentar el presupuesto de educación el próximo año.",
            "Los vecinos de varios barrios se quejaron del aumento del precio de los alimentos.",
            "La policía sigue investigando la causa del incendio del martes por la noche.",
            "Según los expertos, el clima extremo durará hasta finales de mes.",
        ],
    ),
];

/// Article `index` of the corpus: its id and payload. The id is in the payload, so outputs can
/// be matched to inputs.
pub fn article(index: usize) -> (String, Vec<u8>) {
    let (_, sentences) = SENTENCES[index % SENTENCES.len()];
    let id = format!("article-{index:06}");
    let paragraphs = 1 + index % 6;
    let mut body = String::new();
    for p in 0..paragraphs {
        for s in 0..3 {
            body.push_str(sentences[(index + p + s) % sentences.len()]);
            body.push(' ');
        }
        body.push('\n');
    }
    let title = sentences[index % sentences.len()].trim_end_matches('.');
    let payload = match index % 3 {
        0 => serde_json::json!({"id": id, "title": title, "text": body, "source": "corpus"}).to_string(),
        1 => {
            let html: String = body
                .lines()
                .map(|p| format!("<p>{p}</p>"))
                .collect();
            let page = format!(
                "<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav><article>{html}</article><footer>© corpus</footer></body></html>"
            );
            serde_json::json!({"id": id, "html": page, "source": "corpus"}).to_string()
        }
        _ => serde_json::json!({"id": id, "title": title, "text": format!("{body}\nNasional | {} jam yang lalu", 1 + index % 20)}).to_string(),
    };
    (id, payload.into_bytes())
}

/// The language article `index` is written in.
pub fn language(index: usize) -> &'static str {
    SENTENCES[index % SENTENCES.len()].0
}
