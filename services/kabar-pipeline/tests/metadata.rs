//! Page metadata in the output: a page's authors, site name, canonical URL, lead image and
//! publication date come out as proto3 JSON fields; the input's own values win, its date is
//! normalised too, and a date that cannot be read is left out.

use kabar_pipeline::route::{Condition, Encoding, RouteRule};
use kabar_pipeline::{EnrichedArticle, Pipeline, PipelineConfig};
use serde_json::{Value, json};

const PAGE: &str = include_str!("fixtures/metadata/warta-banjir.html");

fn pipeline() -> Pipeline {
    let route = RouteRule {
        topic: "out".to_owned(),
        when: Condition::default(),
        encoding: Encoding::Json,
    };
    Pipeline::new(PipelineConfig::new(vec![route])).expect("pipeline")
}

fn enrich(pipeline: &Pipeline, input: &Value) -> (EnrichedArticle, Value) {
    let article = pipeline
        .process(input.to_string().as_bytes())
        .expect("enriched")
        .article;
    let json = serde_json::to_value(&article).expect("json");
    (article, json)
}

#[test]
fn every_metadata_field_of_a_page_comes_out() {
    let (article, json) = enrich(&pipeline(), &json!({ "html": PAGE }));
    assert_eq!(article.title, "Banjir Rendam Ribuan Rumah di Semarang");
    assert_eq!(json["authors"], json!(["Rina Wulandari", "Andi Saputra"]));
    assert_eq!(json["siteName"], "Warta Nusantara");
    // The canonical link is relative and the input has no URL: the page's absolute og:url.
    assert_eq!(
        json["canonicalUrl"],
        "https://warta.example/daerah/banjir-semarang"
    );
    assert_eq!(json["url"], "https://warta.example/daerah/banjir-semarang");
    // A scheme-relative og:image takes the scheme of the page's URL.
    assert_eq!(
        json["imageUrl"],
        "https://img.warta.example/2024/02/banjir-semarang.jpg"
    );
    // Written compact ("20240213T071500+0700"), emitted as RFC 3339 with its offset.
    assert_eq!(json["publishedAt"], "2024-02-13T07:15:00+07:00");
    assert_eq!(json["source"], "Warta Nusantara");
    assert!(article.body.starts_with("Hujan deras"), "{}", article.body);
}

#[test]
fn the_input_s_own_values_win_and_relative_page_urls_resolve_against_its_url() {
    let input = json!({
        "html": PAGE,
        "url": "http://mirror.example/berita/123",
        "source": "feed-jateng",
        "publishedAt": "2024-02-13 09:00",
    });
    let (_, json) = enrich(&pipeline(), &input);
    assert_eq!(json["url"], "http://mirror.example/berita/123");
    assert_eq!(json["source"], "feed-jateng");
    assert_eq!(json["siteName"], "Warta Nusantara");
    assert_eq!(json["publishedAt"], "2024-02-13T09:00:00Z");
    // The page's og:url is absolute: it stays the canonical URL.
    assert_eq!(
        json["canonicalUrl"],
        "https://warta.example/daerah/banjir-semarang"
    );
}

#[test]
fn an_unreadable_input_date_is_dropped_and_a_readable_one_normalised() {
    let pipeline = pipeline();
    let text = "Hujan deras yang mengguyur Semarang sejak Senin malam membuat ribuan rumah terendam banjir, kata petugas.";
    for (given, expected) in [
        ("20180619T055000+0900", Some("2018-06-19T05:50:00+09:00")),
        ("jueves, 09 enero 2014", Some("2014-01-09T00:00:00Z")),
        (
            "Senin, 12 Juni 2023 14:05 WIB",
            Some("2023-06-12T14:05:00+07:00"),
        ),
        ("kemarin sore", None),
        // Day and month could be either way round: not guessed.
        ("03/04/2023", None),
    ] {
        let (_, json) = enrich(&pipeline, &json!({ "text": text, "publishedAt": given }));
        assert_eq!(
            json.get("publishedAt").and_then(Value::as_str),
            expected,
            "{given}"
        );
    }
    // Plain text carries no page metadata: none of the page fields appear.
    let (_, json) = enrich(&pipeline, &json!({ "text": text }));
    for field in [
        "publishedAt",
        "authors",
        "siteName",
        "canonicalUrl",
        "imageUrl",
    ] {
        assert!(json.get(field).is_none(), "{field}: {json}");
    }
}

#[test]
fn an_unreadable_input_date_gives_way_to_the_page_s() {
    let (_, json) = enrich(
        &pipeline(),
        &json!({ "html": PAGE, "publishedAt": "kemarin sore" }),
    );
    assert_eq!(json["publishedAt"], "2024-02-13T07:15:00+07:00");
}
