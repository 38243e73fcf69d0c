use std::process::ExitCode;

use stats_consumer::{Application, probe, rebuild};

#[actix_web::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    match command.as_deref() {
        // The options (`--check-config`, `--healthcheck`) are read by `run_main`.
        None | Some("run" | "--check-config" | "--healthcheck") => {
            common::server::run_main(
                "stats-consumer",
                stats_consumer::settings::check_config,
                |settings| async move { Application::build(settings).await?.run_until_stopped().await },
            )
            .await
        }
        Some("rebuild") => {
            common::server::run_main(
                "stats-consumer rebuild",
                stats_consumer::settings::check_config,
                |settings| async move {
                    let report =
                        rebuild::rebuild(&settings, &stats_consumer::settings::StatsSettings::load()?)
                            .await?;
                    println!("{report}");
                    Ok(())
                },
            )
            .await
        }
        Some("probe") => {
            common::server::run_main(
                "stats-consumer probe",
                stats_consumer::settings::check_config,
                |settings| async move {
                    let took = probe::round_trip(&settings, std::time::Duration::from_secs(15)).await?;
                    println!(
                        "the broker at {} stored a record and served it back in {} ms",
                        settings.kafka.brokers,
                        took.as_millis()
                    );
                    Ok(())
                },
            )
            .await
        }
        Some(other) => {
            eprintln!(
                "stats-consumer: unknown command {other:?}; expected `run` (default), `rebuild` or `probe`"
            );
            ExitCode::from(2)
        }
    }
}
