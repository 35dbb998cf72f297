//! The `kabar` binary: parses the command line and hands over to the library.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use kabar::cli::{Cli, Command, EnrichArgs, RunArgs};
use kabar::config::Config;
use kabar::engine::Engine;
use kabar::files::{self, FileModeOptions};
use kabar::http::{self, Readiness};
use kabar::tools::produce::{self, ProduceOptions};
use kabar::tools::replay::{self, ReplayOptions};
use kabar::tools::tail::{self, TailOptions};
use kabar::{enrich, kafka, telemetry};
use kabar_pipeline::input::Limits;
use kabar_pipeline::{Pipeline, PipelineConfig, StageSet};
use tokio_util::sync::CancellationToken;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The logger may not be installed yet: report on stderr directly.
            let _ = writeln!(std::io::stderr(), "kabar: error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
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
            override_brokers(&mut config, args.brokers.as_deref())?;
            telemetry::init(config.log.format, &config.log.level)?;
            let options = ProduceOptions {
                topic: args.topic,
                inputs: args.files,
                rate: args.rate,
                repeat: args.repeat,
            };
            run_tool(|shutdown| async move {
                produce::run(&config, options, shutdown).await.map(|_| ())
            })
        }
        Command::Tail(args) => {
            override_brokers(&mut config, args.brokers.as_deref())?;
            telemetry::init(config.log.format, &config.log.level)?;
            let options = TailOptions {
                topic: args.topic,
                from_beginning: args.from_beginning,
                filters: args.filters,
                max: args.max,
                idle_timeout: args.idle_timeout.map(std::time::Duration::from_secs_f64),
            };
            run_tool(
                |shutdown| async move { tail::run(&config, options, shutdown).await.map(|_| ()) },
            )
        }
        Command::Replay(args) => {
            override_brokers(&mut config, args.brokers.as_deref())?;
            telemetry::init(config.log.format, &config.log.level)?;
            let options = ReplayOptions {
                codes: args.codes,
                group: args.group,
                dry_run: args.dry_run,
            };
            run_tool(
                |shutdown| async move { replay::run(&config, options, shutdown).await.map(|_| ()) },
            )
        }
        Command::Enrich(args) => {
            telemetry::init(config.log.format, &config.log.level)?;
            enrich_command(config, args)
        }
        Command::Run(args) => {
            apply_run_flags(&mut config, &args);
            telemetry::init(config.log.format, &config.log.level)?;
            config.validate()?;
            tracing::info!(config = ?config.redacted(), "starting kabar {}", kabar_pipeline::VERSION);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            runtime.block_on(serve(config, args))
        }
    }
}

fn override_brokers(config: &mut Config, brokers: Option<&str>) -> anyhow::Result<()> {
    if let Some(brokers) = brokers {
        config.kafka.brokers = brokers.to_owned();
    }
    if !config.uses_kafka() {
        anyhow::bail!("no Kafka brokers configured: use --brokers or KABAR_KAFKA_BROKERS");
    }
    Ok(())
}

/// Runs a tool on a small runtime, with Ctrl-C ending it cleanly.
fn run_tool<F, Fut>(tool: F) -> anyhow::Result<()>
where
    F: FnOnce(CancellationToken) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        spawn_signal_handler(shutdown.clone())?;
        tool(shutdown).await
    })
}

fn apply_run_flags(config: &mut Config, args: &RunArgs) {
    if let Some(brokers) = &args.brokers {
        config.kafka.brokers.clone_from(brokers);
    }
    if let Some(group) = &args.group_id {
        config.kafka.group_id.clone_from(group);
    }
    if let Some(topics) = &args.input_topics {
        config.kafka.input_topics.clone_from(topics);
    }
    if let Some(addr) = args.http_addr {
        config.http.listen = addr;
    }
    if let Some(routes) = &args.routes {
        config.pipeline.routes_file = Some(routes.clone());
    }
}

fn build_engine(config: &Config, stages: StageSet) -> anyhow::Result<Engine> {
    let pipeline = Pipeline::new(PipelineConfig {
        limits: Limits {
            max_payload_bytes: config.pipeline.max_payload_bytes,
        },
        routes: config.routes()?,
        stages,
        languages: config.language_priors(),
    })
    .context("cannot build the pipeline")?;
    Engine::new(pipeline, config.worker_threads())
}

fn enrich_command(mut config: Config, args: EnrichArgs) -> anyhow::Result<()> {
    if let Some(routes) = args.routes {
        config.pipeline.routes_file = Some(routes);
    }
    let engine = build_engine(&config, args.stages)?;
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    enrich::run(&engine, stdin, stdout)
}

async fn serve(config: Config, args: RunArgs) -> anyhow::Result<()> {
    let engine = Arc::new(build_engine(&config, StageSet::ALL)?);
    let shutdown = CancellationToken::new();
    let readiness = Arc::new(Readiness::default());
    spawn_signal_handler(shutdown.clone())?;

    let http_task = match http::bind(config.http.listen).await {
        Ok((listener, addr)) => {
            tracing::info!(%addr, "serving /metrics, /healthz and /readyz");
            Some(tokio::spawn(http::serve(
                listener,
                Arc::clone(&readiness),
                shutdown.clone(),
            )))
        }
        // Kafka mode is a service: without its endpoints it cannot be watched. File mode is a
        // laptop run: a busy port should not stop it.
        Err(error) if !config.uses_kafka() => {
            tracing::warn!(%error, "metrics endpoint disabled");
            None
        }
        Err(error) => return Err(error),
    };

    let result = if config.uses_kafka() {
        kafka::run(&config, engine, Arc::clone(&readiness), shutdown.clone()).await
    } else {
        readiness.set(true);
        let options = FileModeOptions {
            input: args
                .input
                .clone()
                .context("no Kafka brokers configured and no --input given: nothing to read (use --brokers, KABAR_KAFKA_BROKERS, or --input PATH)")?,
            output_dir: args.output_dir.clone(),
            follow: args.follow,
            dead_letter_topic: config.kafka.dead_letter_topic.clone(),
        };
        let summary = files::run(engine, options, shutdown.clone()).await?;
        print_summary(&summary)?;
        Ok(())
    };
    shutdown.cancel();
    if let Some(task) = http_task {
        let _ = task.await;
    }
    result
}

/// File mode's closing report: the one place kabar writes to stdout outside `enrich`.
fn print_summary(summary: &files::Summary) -> anyhow::Result<()> {
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

/// SIGTERM or SIGINT starts a graceful shutdown; a second one exits at once.
fn spawn_signal_handler(shutdown: CancellationToken) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        for round in 0..2 {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            if round == 0 {
                tracing::info!("signal received: shutting down gracefully");
                shutdown.cancel();
            } else {
                tracing::warn!("second signal: exiting now");
                std::process::exit(130);
            }
        }
    });
    Ok(())
}
