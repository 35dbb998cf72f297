//! The `kabar` binary: parses the command line, loads the configuration and hands over to the
//! library (`kabar::service` for `run`, `kabar::enrich` and `kabar::tools` for the rest).

use std::io::Write;

use anyhow::Context as _;
use clap::Parser;
use kabar::cli::{self, Cli, Command};
use kabar::config::Config;
use kabar::events::{self, ServiceStarting};
use kabar::files::Summary;
use kabar::tools::manual;
use kabar::tools::produce::{self, ProduceOptions};
use kabar::tools::replay::{self, ReplayOptions};
use kabar::tools::tail::{self, Start, TailOptions};
use kabar::{enrich, service, signals, telemetry};
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
            std::process::ExitCode::FAILURE
        }
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
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(format) = cli.log_format {
        config.log.format = format;
    }
    if let Some(level) = &cli.log_level {
        config.log.level.clone_from(level);
    }
    match cli.command {
        Command::EnvVars => {
            let mut stdout = std::io::stdout().lock();
            for name in Config::environment_variables() {
                writeln!(stdout, "{name}")?;
            }
            Ok(())
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
            with_runtime(|shutdown| async move {
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
            with_runtime(|shutdown| async move {
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
            with_runtime(|shutdown| async move {
                replay::run(&config, options, shutdown).await.map(|_| ())
            })
        }
        Command::Completions(_) | Command::Man(_) => Ok(()),
        Command::Enrich(args) => {
            telemetry::init(config.log.format, &config.log.level)?;
            enrich::command(config, args)
        }
        Command::Run(args) => {
            args.apply(&mut config);
            telemetry::init(config.log.format, &config.log.level)?;
            config.validate()?;
            events::emit(ServiceStarting { config: &config });
            with_runtime(|shutdown| async move {
                let running = service::start(config, args.file_input(), shutdown).await?;
                match running.wait().await? {
                    Some(summary) => print_summary(&summary),
                    None => Ok(()),
                }
            })
        }
    }
}

/// Runs `work` on a two-thread runtime, with SIGTERM and SIGINT cancelling its token.
fn with_runtime<F, Fut>(work: F) -> anyhow::Result<()>
where
    F: FnOnce(CancellationToken) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        signals::spawn_handler(shutdown.clone())?;
        work(shutdown).await
    })
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
