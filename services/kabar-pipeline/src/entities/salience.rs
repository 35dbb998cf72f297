//! Salience: how much an article is about each of its entities, from 0 (named in passing) to 1
//! (what the article is about). News puts its subject in the headline and the lead and names it
//! again and again; a place named once near the end is a detail. The score adds up, with
//! weights that sum to 1:
//!
//! - 0.35 when the headline names the entity,
//! - 0.20 when the lead does (the first paragraph, at least its first 300 characters),
//! - 0.30 times the entity's mentions over those of the article's most mentioned entity,
//! - 0.15 times how early the first mention comes (1 at the start of the body, 0 at its end).
//!
//! Scores are rounded to two decimals, so that outputs are stable across platforms.

use crate::article::{Entity, TextField};

const TITLE: f32 = 0.35;
const LEAD: f32 = 0.20;
const FREQUENCY: f32 = 0.30;
const POSITION: f32 = 0.15;
/// The lead is at least this many characters (a first paragraph can be a dateline alone).
const MIN_LEAD_CHARS: usize = 300;

/// Sets each entity's salience.
pub(crate) fn score(entities: &mut [Entity], body: &str) {
    let Some(most) = entities.iter().map(|e| e.mentions.len()).max() else {
        return;
    };
    let body_chars = body.chars().count().max(1);
    let lead_end = lead_end(body);
    for entity in entities {
        let in_title = entity.mentions.iter().any(|m| m.field == TextField::Title);
        let first_in_body = entity
            .mentions
            .iter()
            .filter(|m| m.field == TextField::Body)
            .map(|m| m.start as usize)
            .min();
        let in_lead = first_in_body.is_some_and(|start| start < lead_end);
        // Named in the headline only: as early as it gets.
        let earliness = match first_in_body {
            Some(start) if !in_title => 1.0 - start.min(body_chars) as f32 / body_chars as f32,
            _ => 1.0,
        };
        let frequency = entity.mentions.len() as f32 / most.max(1) as f32;
        let raw = TITLE * f32::from(u8::from(in_title))
            + LEAD * f32::from(u8::from(in_lead))
            + FREQUENCY * frequency
            + POSITION * earliness;
        entity.salience = (raw.clamp(0.0, 1.0) * 100.0).round() / 100.0;
    }
}

/// Where the lead ends, in code points: the end of the first paragraph, but no sooner than
/// [`MIN_LEAD_CHARS`].
fn lead_end(body: &str) -> usize {
    let mut chars = 0;
    for c in body.chars() {
        if c == '\n' && chars >= MIN_LEAD_CHARS {
            return chars;
        }
        chars += 1;
    }
    chars
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{EntityType, Mention};

    fn entity(mentions: &[(TextField, u32)]) -> Entity {
        Entity {
            name: "x".into(),
            entity_type: EntityType::Person,
            mentions: mentions
                .iter()
                .map(|&(field, start)| Mention {
                    field,
                    start,
                    end: start + 1,
                })
                .collect(),
            ..Entity::default()
        }
    }

    #[test]
    fn the_subject_scores_high_a_passing_mention_low() {
        let body = format!("{}\n{}", "a".repeat(400), "b".repeat(1599));
        let mut entities = vec![
            entity(&[
                (TextField::Title, 0),
                (TextField::Body, 10),
                (TextField::Body, 500),
                (TextField::Body, 900),
            ]),
            entity(&[(TextField::Body, 1900)]),
        ];
        score(&mut entities, &body);
        assert_eq!(entities[0].salience, 1.0);
        assert!(entities[1].salience < 0.15, "{}", entities[1].salience);
        for e in &entities {
            assert!((0.0..=1.0).contains(&e.salience));
        }
    }

    #[test]
    fn the_lead_is_the_first_paragraph_but_not_a_dateline_alone() {
        assert_eq!(lead_end("short"), 5);
        let body = format!("{}\n{}", "x".repeat(350), "y".repeat(100));
        assert_eq!(lead_end(&body), 350);
        let dateline = format!("SEOUL\n{}\n{}", "x".repeat(400), "y".repeat(10));
        assert_eq!(lead_end(&dateline), 406);
    }
}
