//! The `kabar` binary: parses the command line, loads the configuration and hands over to the
//! library (`kabar::service` for `run`, `kabar::enrich` and `kabar::tools` for the rest).

use std::io::Write;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use kabar::cli::{self, Cli, Command, TopicsCommand};
use kabar::config::{Config, LogFormat};
use kabar::events::{self, ServiceStarting, ShutdownBudgetExceeded};
use kabar::exit::Exit;
use kabar::files::Summary;
use kabar::reload::{ConfigSource, Flags};
use kabar::service::{SHUTDOWN_BUDGET, ServiceOptions};
use kabar::tools::manual;
use kabar::tools::produce::{self, ProduceOptions};
use kabar::tools::replay::{self, ReplayOptions};
use kabar::tools::tail::{self, Start, TailOptions};
use kabar::{enrich, kafka, service, signals, telemetry, validate};
use tokio_util::sync::CancellationToken;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader of stdout went away (`kabar man | head`): nothing more to say.
        Err(error) if is_broken_pipe(&error) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The logger may not be installed yet: report on stderr directly.
            let _ = writeln!(std::io::stderr(), "kabar: error: {error:#}");
            std::process::ExitCode::from(Exit::status_of(&error))
        }
    }
}

/// The global `--log-format` and `--log-level` flags, as configuration overrides that name what
/// they set.
fn log_flags(
    format: Option<LogFormat>,
    level: Option<String>,
) -> impl Fn(&mut Config) -> Vec<(&'static str, &'static str)> + Send + Sync + 'static {
    move |config: &mut Config| {
        let mut set = Vec::new();
        if let Some(format) = format {
            config.log.format = format;
            set.push(("log.format", "--log-format"));
        }
        if let Some(level) = &level {
            config.log.level.clone_from(level);
            set.push(("log.level", "--log-level"));
        }
        set
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Commands about the command line itself need no configuration.
    match &cli.command {
        Command::Completions(args) => {
            manual::completions(args.shell, &mut std::io::stdout().lock());
            return Ok(());
        }
        Command::Man(args) => {
            return match &args.dir {
                Some(dir) => {
                    let mut stdout = std::io::stdout().lock();
                    for name in manual::man_pages(dir)? {
                        writeln!(stdout, "{}", dir.join(name).display())?;
                    }
                    Ok(())
                }
                None => manual::man_page(&mut std::io::stdout().lock()),
            };
        }
        _ => {}
    }
    let log_flags = log_flags(cli.log_format, cli.log_level.clone());
    match cli.command {
        Command::Run(args) => {
            let file_input = args.file_input();
            let flags: Flags = Arc::new(move |config: &mut Config| {
                let mut set = log_flags(config);
                set.extend(args.apply_naming(config));
                set
            });
            let config = checked(cli.config.as_deref(), |config| flags(config))?;
            telemetry::init(config.log.format, &config.log.level)?;
            events::emit(ServiceStarting { config: &config });
            let options = ServiceOptions {
                source: ConfigSource::Loaded {
                    file: cli.config.clone(),
                    flags: Arc::clone(&flags),
                },
                reload_on_hangup: true,
            };
            return with_runtime(true, |shutdown| async move {
                let running = service::start_with(config, file_input, options, shutdown).await?;
                match running.wait().await? {
                    Some(summary) => print_summary(&summary),
                    None => Ok(()),
                }
            });
        }
        Command::Validate(args) => {
            let config = checked(cli.config.as_deref(), |config| {
                let mut set = log_flags(config);
                set.extend(args.apply(config));
                set
            })?;
            let mut stdout = std::io::stdout().lock();
            writeln!(
                stdout,
                "kabar: the configuration is valid ({} mode, {} route(s))",
                if config.uses_kafka() { "Kafka" } else { "file" },
                config.routes()?.len()
            )?;
            return Ok(());
        }
        Command::Config(args) => {
            let config = checked(cli.config.as_deref(), |config| {
                let mut set = log_flags(config);
                set.extend(args.apply(config));
                set
            })?;
            std::io::stdout()
                .lock()
                .write_all(config.to_toml()?.as_bytes())?;
            return Ok(());
        }
        _ => {}
    }
    let mut config = Config::load(cli.config.as_deref()).context(Exit::Config)?;
    log_flags(&mut config);
    match cli.command {
        Command::Run(_) | Command::Validate(_) | Command::Config(_) => Ok(()),
        Command::EnvVars => {
            let mut stdout = std::io::stdout().lock();
            for name in Config::environment_variables() {
                writeln!(stdout, "{name}")?;
            }
            Ok(())
        }
        Command::Topics(TopicsCommand::Create(args)) => {
            cli::override_brokers(&mut config, args.brokers.as_deref()).context(Exit::Config)?;
            telemetry::init(config.log.format, &config.log.level)?;
            with_runtime(false, |_shutdown| async move {
                kafka::topics::create_from_list(
                    &config,
                    &args.file,
                    args.replication_factor,
                    &args.prefix,
                )
                .await
            })
        }
        Command::Produce(args) => {
            cli::override_brokers(&mut config, args.brokers.as_deref())?;
            telemetry::init(config.log.format, &config.log.level)?;
            let options = ProduceOptions {
                topic: args.topic,
                inputs: args.files,
                rate: args.rate,
                repeat: args.repeat,
            };
            with_runtime(false, |shutdown| async move {
                produce::run(&config, options, shutdown).await.map(|_| ())
            })
        }
        Command::Tail(args) => {
            cli::override_brokers(&mut config, args.brokers.as_deref())?;
            telemetry::init(config.log.format, &config.log.level)?;
            let start = match (args.from_beginning, args.offset, args.since) {
                (_, _, Some(time)) => Start::Time(time),
                (_, Some(offset), None) => Start::Offset(offset),
                (true, None, None) => Start::Beginning,
                (false, None, None) => Start::End,
            };
            let idle_timeout = match args.idle_timeout {
                Some(seconds) => Some(
                    std::time::Duration::try_from_secs_f64(seconds)
                        .context("--idle-timeout must be a number of seconds, 0 or more")?,
                ),
                None => None,
            };
            let options = TailOptions {
                topic: args.topic,
                partitions: args.partitions,
                start,
                filters: args.filters,
                max: args.max,
                until_end: args.until_end,
                idle_timeout,
                format: args.format,
                isolation: args.isolation,
            };
            with_runtime(false, |shutdown| async move {
                tail::run(&config, options, shutdown).await.map(|_| ())
            })
        }
        Command::Replay(args) => {
            cli::override_brokers(&mut config, args.brokers.as_deref())?;
            telemetry::init(config.log.format, &config.log.level)?;
            let options = ReplayOptions {
                topic: args
                    .from
                    .unwrap_or_else(|| config.kafka.dead_letter_topic.clone()),
                codes: args.codes,
                group: args.group,
                dry_run: args.dry_run,
                max: args.max,
                since: args.since,
                until: args.until,
                to: args.to,
                batch_size: args.batch_size,
            };
            with_runtime(false, |shutdown| async move {
                replay::run(&config, options, shutdown).await.map(|_| ())
            })
        }
        Command::Completions(_) | Command::Man(_) => Ok(()),
        Command::Enrich(args) => {
            telemetry::init(config.log.format, &config.log.level)?;
            enrich::command(config, args)
        }
    }
}

/// The configuration with every problem found at once (an [`Exit::Config`] error).
fn checked(
    file: Option<&std::path::Path>,
    flags: impl FnOnce(&mut Config) -> Vec<(&'static str, &'static str)>,
) -> anyhow::Result<Config> {
    validate::load_checked(file, flags)
        .map_err(|problems| anyhow::Error::new(problems).context(Exit::Config))
}

/// Runs `work` on a two-thread runtime, with SIGTERM and SIGINT cancelling its token. With
/// `budget`, a shutdown that takes longer than [`SHUTDOWN_BUDGET`] ends the process (status 70).
fn with_runtime<F, Fut>(budget: bool, work: F) -> anyhow::Result<()>
where
    F: FnOnce(CancellationToken) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        signals::spawn_handler(shutdown.clone())?;
        if budget {
            let watched = shutdown.clone();
            tokio::spawn(async move {
                watched.cancelled().await;
                // A thread of its own: a runtime blocked by a stuck call cannot stop it.
                std::thread::spawn(|| {
                    std::thread::sleep(SHUTDOWN_BUDGET);
                    events::emit(ShutdownBudgetExceeded {
                        seconds: SHUTDOWN_BUDGET.as_secs(),
                    });
                    std::process::exit(i32::from(Exit::Fatal.code()));
                });
            });
        }
        work(shutdown).await
    });
    // Blocking calls still running (a Kafka call that never returns) do not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// File mode's closing report: the one place kabar writes to stdout outside `enrich` and the
/// tools.
fn print_summary(summary: &Summary) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "kabar: enriched {} article(s), {} dead letter(s)",
        summary.articles, summary.dead_letters
    )?;
    for (path, lines) in &summary.outputs {
        writeln!(out, "  {lines:>6}  {}", path.display())?;
    }
    Ok(())
}
