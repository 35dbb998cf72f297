//! The detector's rules: which copy is first, stories, reprocessing, records from elsewhere.

use super::*;

const HOUR: i64 = 3_600_000;

const STORY: &str = "Heavy overnight rain flooded dozens of neighbourhoods in Jakarta on Monday, \
    cutting power to thousands of homes and forcing schools to close, officials said. The \
    national disaster agency said water reached more than a metre in parts of East Jakarta, \
    where rescuers used rubber boats to evacuate elderly residents. \"We are monitoring the \
    rivers hour by hour,\" an agency spokesperson told Reuters, adding that more rain was \
    expected later in the week. President Joko Widodo has ordered ministers to speed up work \
    on the city's sea wall and on the planned move of the capital to Borneo.";

const OTHER: &str = "The central bank kept interest rates unchanged on Thursday and said \
    inflation would ease next year as food prices fell, while the currency held steady against \
    the dollar and bond yields edged lower in thin trading before the long holiday weekend, \
    according to a statement published after the two-day meeting of its board of governors.";

fn detector() -> Detector {
    Detector::new(DedupConfig::default())
}

fn decide(detector: &Detector, id: &str, time: i64, body: &str) -> Verdict {
    let fingerprint = detector.fingerprint(body);
    detector
        .decide(id, "", EventTime::Millis(time), fingerprint.as_ref())
        .0
}

fn copy_of(body: &str) -> String {
    // Another outlet: other typography, a sentence cut.
    let cut = body.rfind(" President").unwrap_or(body.len());
    body[..cut].replace('"', "\u{201c}").to_uppercase()
}

#[test]
fn a_later_copy_is_a_duplicate_of_the_first() {
    let detector = detector();
    let first = decide(&detector, "a", 1000, STORY);
    assert_eq!(
        first,
        Verdict {
            duplicate: None,
            story: "a".into()
        }
    );
    let copy = decide(&detector, "b", 2000, &copy_of(STORY));
    let duplicate = copy.duplicate.expect("a duplicate");
    assert_eq!(duplicate.of, "a");
    assert!(duplicate.similarity >= 0.85, "{}", duplicate.similarity);
    assert_eq!(copy.story, "a");
    // An unrelated article starts its own story.
    assert_eq!(
        decide(&detector, "c", 3000, OTHER),
        Verdict {
            duplicate: None,
            story: "c".into()
        }
    );
    // A copy of the copy names the first copy, not the one it came from.
    assert_eq!(
        decide(&detector, "d", 4000, STORY)
            .duplicate
            .map(|d| d.of)
            .as_deref(),
        Some("a")
    );
}

#[test]
fn a_copy_that_precedes_what_the_index_holds_is_not_a_duplicate() {
    let detector = detector();
    decide(&detector, "later", 5000, STORY);
    let earlier = decide(&detector, "earlier", 1000, &copy_of(STORY));
    assert_eq!(earlier.duplicate, None);
    assert_eq!(earlier.story, "later", "it joins the story");
    // Now that both are known, a third copy names the earlier one.
    let third = decide(&detector, "third", 9000, STORY);
    assert_eq!(third.duplicate.map(|d| d.of).as_deref(), Some("earlier"));
}

#[test]
fn the_same_event_time_is_decided_by_the_smaller_id() {
    let detector = detector();
    decide(&detector, "b", 1000, STORY);
    assert_eq!(decide(&detector, "a", 1000, STORY).duplicate, None);
    assert_eq!(
        decide(&detector, "c", 1000, STORY)
            .duplicate
            .map(|d| d.of)
            .as_deref(),
        Some("a")
    );
}

#[test]
fn an_article_processed_again_gets_the_same_answer_never_itself() {
    let detector = detector();
    decide(&detector, "a", 1000, STORY);
    let first = decide(&detector, "b", 2000, STORY);
    // Processed again (a crash before its offset was committed), after more copies arrived.
    decide(&detector, "c", 500, STORY);
    assert_eq!(decide(&detector, "b", 2000, STORY), first);
    assert_eq!(
        decide(&detector, "a", 1000, STORY),
        Verdict {
            duplicate: None,
            story: "a".into()
        }
    );
    // The same id with new content is decided again, and keeps its story.
    let updated = decide(&detector, "a", 1000, OTHER);
    assert_eq!(
        updated,
        Verdict {
            duplicate: None,
            story: "a".into()
        }
    );
}

#[test]
fn copies_further_apart_than_the_window_are_not_duplicates() {
    let detector = detector();
    decide(&detector, "a", 0, STORY);
    assert_eq!(decide(&detector, "b", 73 * HOUR, STORY).duplicate, None);
    assert!(
        decide(&detector, "c", 74 * HOUR, STORY).duplicate.is_some(),
        "b is in the window"
    );
}

#[test]
fn short_bodies_are_their_own_story() {
    let detector = detector();
    let (verdict, record) = detector.decide(
        "x",
        "",
        EventTime::Millis(0),
        detector.fingerprint("Gempa guncang Maluku").as_ref(),
    );
    assert_eq!(
        verdict,
        Verdict {
            duplicate: None,
            story: "x".into()
        }
    );
    assert!(record.is_none());
    assert_eq!(detector.stats().entries, 0);
}

#[test]
fn input_order_uses_published_at_then_position() {
    let detector = detector();
    let fingerprint = detector.fingerprint(STORY);
    let decide = |id: &str, published: &str| {
        detector.decide(id, published, EventTime::InputOrder, fingerprint.as_ref())
    };
    // Undated copies follow input order, whatever their ids.
    assert_eq!(decide("z", "").0.duplicate, None);
    assert_eq!(
        decide("y", "").0.duplicate.map(|d| d.of).as_deref(),
        Some("z")
    );
    // A dated article published before both comes first even though it arrives last.
    let (dated, record) = decide("x", "2023-09-15T08:30:00Z");
    assert_eq!(dated.duplicate, None);
    assert_eq!(record.map(|r| r.time), Some(1_694_766_600_000));
    // The next undated article comes after the latest event time.
    let (next, record) = decide("w", "not a date");
    assert_eq!(next.duplicate.map(|d| d.of).as_deref(), Some("x"));
    assert_eq!(record.map(|r| r.time), Some(1_694_766_600_001));
}

#[test]
fn indexes_fed_the_same_records_in_any_order_agree() {
    let bodies = [
        STORY.to_owned(),
        copy_of(STORY),
        OTHER.to_owned(),
        STORY.to_uppercase(),
    ];
    // Two instances each decide half of the articles without seeing the other's records: the
    // race the design documents. Then each reads the other's records.
    let (left, right) = (detector(), detector());
    let mut records = Vec::new();
    for (n, body) in bodies.iter().enumerate() {
        let instance = if n % 2 == 0 { &left } else { &right };
        let fingerprint = instance.fingerprint(body);
        let (_, record) = instance.decide(
            &format!("id-{n}"),
            "",
            EventTime::Millis(1000 - n as i64),
            fingerprint.as_ref(),
        );
        records.extend(record);
    }
    for record in &records {
        left.apply(record);
    }
    for record in records.iter().rev() {
        right.apply(record);
    }
    assert_eq!(left.stats().entries, right.stats().entries);
    let probe = |instance: &Detector| decide(instance, "probe", 2000, STORY);
    let (l, r) = (probe(&left), probe(&right));
    assert_eq!(l, r);
    // The first copy by the rule: the earliest event time (id-3 at 997).
    assert_eq!(l.duplicate.map(|d| d.of).as_deref(), Some("id-3"));
    // Applying a record twice changes nothing.
    assert_eq!(left.apply(&records[0]), Applied::Unchanged);
}

#[test]
fn settings_are_checked() {
    assert!(DedupConfig::default().problems().is_empty());
    let bad = DedupConfig {
        threshold: 1.5,
        window_ms: 10,
        max_entries: 0,
        shingle_words: 1,
        min_words: 0,
    };
    assert_eq!(bad.problems().len(), 5, "{:?}", bad.problems());
}
