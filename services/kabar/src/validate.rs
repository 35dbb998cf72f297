//! Loading the configuration with every problem found at once, each with where it came from:
//! `kabar validate`, and `kabar run` before it connects.
//!
//! Each setting present in the file or the environment is tried alone on top of the defaults,
//! so one bad value does not hide the next; then the settings are checked together
//! ([`Config::setting_problems`](crate::config::Config::setting_problems)) and the routes file rule by rule
//! ([`PipelineSettings::route_problems`](crate::config::PipelineSettings::route_problems)). A problem
//! names its origin: `kabar.toml:12`, `KABAR_KAFKA_BROKERS`, or the command line.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Serialized, Toml};
use figment::value::Value;
use figment::{Figment, Profile, Provider as _, Source};

use crate::config::{Config, SECTIONS, line_of};

/// One problem, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `kabar.toml:12`, `KABAR_KAFKA_BROKERS`, `routes.toml:3`, `--routes`...
    pub origin: Option<String>,
    /// `section.key`, when one setting is at fault.
    pub setting: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        if let Some(setting) = &self.setting {
            write!(f, "{setting}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found, one a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "{count} configuration problem{}",
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.0 {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Where settings came from, to name a problem's origin.
struct Origins {
    file: Option<(PathBuf, String)>,
    figment: Figment,
    /// Settings the command line set.
    flags: Vec<(&'static str, &'static str)>,
}

impl Origins {
    /// `file:line`, the environment variable, the flag, or nothing for a default.
    fn of(&self, setting: &str) -> Option<String> {
        if let Some((_, flag)) = self.flags.iter().find(|(s, _)| *s == setting) {
            return Some((*flag).to_owned());
        }
        let metadata = self.figment.find_metadata(setting)?;
        match &metadata.source {
            Some(Source::File(path)) => {
                // The file as it was named, not as figment found it.
                let path = self.file.as_ref().map_or(path, |(named, _)| named);
                let line = self
                    .file
                    .as_ref()
                    .and_then(|(_, text)| line_of_key(text, setting));
                Some(match line {
                    Some(line) => format!("{}:{line}", path.display()),
                    None => path.display().to_string(),
                })
            }
            _ if metadata.name.contains("environment") => {
                Some(format!("KABAR_{}", setting.replacen('.', "_", 1)).to_ascii_uppercase())
            }
            _ => None,
        }
    }
}

/// The line of `section.key` (or of `section`) in a TOML text.
fn line_of_key(text: &str, setting: &str) -> Option<usize> {
    let document = toml_edit::ImDocument::parse(text).ok()?;
    let mut parts = setting.splitn(2, '.');
    let section = parts.next()?;
    let table = document.get(section)?.as_table_like()?;
    let span = match parts.next() {
        Some(key) => table
            .get_key_value(key)
            .and_then(|(key, item)| key.span().or_else(|| item.span())),
        None => None,
    }
    .or_else(|| {
        document
            .as_table()
            .key(section)
            .and_then(toml_edit::Key::span)
    })?;
    Some(line_of(text, span.start))
}

/// The configuration `kabar run` would use: defaults, `file`, the environment, then `flags`
/// (applied by `apply_flags`, which also names the settings it set and the flag that set
/// them), with every problem found at once.
pub fn load_checked(
    file: Option<&Path>,
    apply_flags: impl FnOnce(&mut Config) -> Vec<(&'static str, &'static str)>,
) -> Result<Config, Problems> {
    let mut problems = Vec::new();
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    let mut file_text = None;
    if let Some(path) = file {
        let origin = Some(path.display().to_string());
        let text = std::fs::read_to_string(path).map_err(|error| {
            Problems(vec![Problem {
                origin: origin.clone(),
                setting: None,
                message: format!("cannot read the configuration file: {error}"),
            }])
        })?;
        if let Err(error) = toml_edit::ImDocument::parse(text.as_str()) {
            let line = error.span().map(|span| line_of(&text, span.start));
            return Err(Problems(vec![Problem {
                origin: Some(match line {
                    Some(line) => format!("{}:{line}", path.display()),
                    None => path.display().to_string(),
                }),
                setting: None,
                message: format!("not TOML: {}", error.message().trim()),
            }]));
        }
        figment = figment.merge(Toml::file(path));
        file_text = Some((path.to_path_buf(), text));
    }
    figment = figment.merge(Config::env_provider());
    let mut origins = Origins {
        file: file_text,
        figment: figment.clone(),
        flags: Vec::new(),
    };

    // Each setting alone on top of the defaults: every bad value is reported.
    let mut repaired = Figment::from(Serialized::defaults(Config::default()));
    let data = figment
        .data()
        .ok()
        .and_then(|mut profiles| profiles.remove(&Profile::Default))
        .unwrap_or_default();
    for (section, keys) in &data {
        if !SECTIONS.contains(&section.as_str()) {
            problems.push(Problem {
                origin: origins.of(section),
                setting: Some(section.clone()),
                message: format!("unknown section (known: {})", SECTIONS.join(", ")),
            });
            continue;
        }
        let Some(keys) = keys.as_dict() else {
            problems.push(Problem {
                origin: origins.of(section),
                setting: Some(section.clone()),
                message: "must be a table".to_owned(),
            });
            continue;
        };
        for key in keys.keys() {
            let setting = format!("{section}.{key}");
            let Ok(value) = figment.find_value(&setting) else {
                continue;
            };
            match try_alone(&setting, value.clone()) {
                Ok(()) => repaired = repaired.merge(Serialized::default(&setting, value)),
                Err(error) => problems.push(Problem {
                    origin: origins.of(&setting),
                    setting: Some(setting),
                    message: error,
                }),
            }
        }
    }
    // The good settings, with defaults in place of the bad ones, are checked together too.
    let mut config = match Config::from_figment(&repaired) {
        Ok(config) => config,
        Err(error) => {
            problems.push(Problem {
                origin: origins.of("kafka.sasl_password_file"),
                setting: None,
                message: format!("{error:#}"),
            });
            return Err(Problems(problems));
        }
    };
    origins.flags = apply_flags(&mut config);
    for problem in config.setting_problems() {
        problems.push(Problem {
            origin: origins.of(problem.setting),
            setting: Some(problem.setting.to_owned()),
            message: problem.message,
        });
    }
    for problem in config.pipeline.route_problems() {
        problems.push(Problem {
            origin: Some(match problem.line {
                Some(line) => format!("{}:{line}", problem.file.display()),
                None => problem.file.display().to_string(),
            }),
            setting: None,
            message: problem.message,
        });
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(Problems(problems))
    }
}

/// Whether `value` is a valid `setting` on its own: the reason when it is not.
fn try_alone(setting: &str, value: Value) -> Result<(), String> {
    Figment::from(Serialized::defaults(Config::default()))
        .merge(Serialized::default(setting, value))
        .extract::<Config>()
        .map(drop)
        .map_err(|error| match error.kind {
            figment::error::Kind::UnknownField(..) => "unknown setting".to_owned(),
            // figment's full message ends with where the value came from: the origin says it.
            kind => kind.to_string(),
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::result_large_err)] // figment's test jail returns its own large error type

    use super::*;
    use figment::Jail;

    #[test]
    fn every_problem_is_reported_with_its_origin() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "kabar.toml",
                "[kafka]\nbrokers = \"b:9092\"\nbrokerz = \"x\"\n\n[pipeline]\nmax_in_flight = \"many\"\n\
                 routes_file = \"routes.toml\"\nexpected_languages = [\"ind\", \"malay\"]\n",
            )?;
            jail.create_file(
                "routes.toml",
                "[[route]]\ntopic = \"ok.v1\"\n\n[[route]]\ntopic = \"news.{lang}.v1\"\n\n\
                 [[route]]\ntopic = \"bad topic\"\n",
            )?;
            jail.set_env("KABAR_HTTP_LISTEN", "not-an-address");
            let problems = load_checked(Some(Path::new("kabar.toml")), |_| Vec::new())
                .expect_err("bad settings and routes");
            let text: Vec<String> = problems.0.iter().map(ToString::to_string).collect();
            let expected = [
                "kabar.toml:3: kafka.brokerz: unknown setting",
                "kabar.toml:6: pipeline.max_in_flight: invalid type",
                "KABAR_HTTP_LISTEN: http.listen: invalid socket address",
                "kabar.toml:8: pipeline.expected_languages: unknown language codes: malay",
                "routes.toml:5: route 2: topic template \"news.{lang}.v1\" uses unknown placeholder",
                "routes.toml:8: route 3: topic \"bad topic\" is not a valid Kafka topic name",
            ];
            assert_eq!(problems.0.len(), expected.len(), "{text:#?}");
            for start in expected {
                assert!(
                    text.iter().any(|p| p.starts_with(start)),
                    "{start}: {text:#?}"
                );
            }

            // A flag is named as the origin of what it set.
            jail.create_file("kabar.toml", "[kafka]\nbrokers = \"b:9092\"\n")?;
            jail.set_env("KABAR_HTTP_LISTEN", "127.0.0.1:0");
            let problems = load_checked(Some(Path::new("kabar.toml")), |config| {
                config.kafka.group_id = " ".to_owned();
                vec![("kafka.group_id", "--group-id")]
            })
            .expect_err("empty group");
            assert_eq!(
                problems.0[0].to_string(),
                "--group-id: kafka.group_id: is empty"
            );
            Ok(())
        });
    }

    #[test]
    fn a_broken_file_is_reported_with_its_line() {
        Jail::expect_with(|jail| {
            jail.create_file("kabar.toml", "[kafka]\nbrokers = \"unterminated\n")?;
            let problems =
                load_checked(Some(Path::new("kabar.toml")), |_| Vec::new()).expect_err("not TOML");
            assert!(
                problems.0[0]
                    .to_string()
                    .starts_with("kabar.toml:2: not TOML"),
                "{problems}"
            );
            Ok(())
        });
    }
}
